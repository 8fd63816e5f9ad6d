import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base.ts';
import { FUNNEL_APPOINTMENT_TRIGGERS } from './stats-totals.entity.ts';
import { WeworkCustomer } from './wework-customer.entity.ts';

/**
 * A booked visit (预约): one customer, one staff member, one project, one time. Created by the
 * clinic's booking system (API) or the dashboard; its reminders run in workflow `appointment:<id>`.
 */
export const Appointment = defineEntity({
  name: 'Appointment',
  tableName: 'appointments',
  // wework_customers.booked (stats-totals.entity.ts).
  triggers: FUNNEL_APPOINTMENT_TRIGGERS,
  properties: {
    ...baseProperties,
    customer: () => p.manyToOne(WeworkCustomer).deleteRule('cascade').index(),
    externalUserid: p.string().length(64).index(),
    staffUserid: p.string().length(64),
    project: p.string().length(100),
    startsAt: p.datetime().index(),
    status: p.enum(['booked', 'cancelled', 'completed'] as const).default('booked').index(),
    source: p.enum(['api', 'dashboard'] as const).default('api'),
    reschedules: p.integer().default(0),
    cancelledAt: p.datetime().nullable(),
  },
});
/** A row of appointments. */
export type IAppointment = InferEntity<typeof Appointment>;
