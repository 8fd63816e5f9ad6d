import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Appointment } from './appointment.entity.ts';
import { baseProperties } from './base.ts';

/**
 * One reminder that went out (or was skipped) for one appointment time, offset and audience. The
 * unique key makes the send idempotent: a retried activity finds the row and does nothing.
 */
export const AppointmentReminder = defineEntity({
  name: 'AppointmentReminder',
  tableName: 'appointment_reminders',
  uniques: [{ properties: ['appointment', 'startsAt', 'offsetMinutes', 'audience'] }],
  properties: {
    ...baseProperties,
    appointment: () => p.manyToOne(Appointment).deleteRule('cascade'),
    startsAt: p.datetime(),
    offsetMinutes: p.integer(),
    audience: p.enum(['staff', 'customer'] as const),
    outcome: p.string().length(32),
  },
});
/** A row of appointment_reminders. */
export type IAppointmentReminder = InferEntity<typeof AppointmentReminder>;
