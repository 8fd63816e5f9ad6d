import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JourneyExitReason } from '../common/journeys.schema.ts';

/** Moves an appointment to a new time; answers the time now in force. */
export const rescheduleAppointmentUpdate = defineUpdate<{ startsAt: string; reschedules: number }, [{ startsAt: string }]>('reschedule');
/** Cancels an appointment: no reminder goes out after it. */
export const cancelAppointmentUpdate = defineUpdate<{ status: 'cancelled' }, []>('cancel');
/** The appointment's current time and the reminders sent so far. */
export const appointmentStateQuery = defineQuery<{ startsAt: string; cancelled: boolean; reminders: AppointmentReminderRecord[] }>('state');

/** One reminder the appointment workflow sent. */
export interface AppointmentReminderRecord { startsAt: string; offsetMinutes: number; staff: string; customerRunId: number | null }

/** Ends a customer's journey at the next moment it looks (booked, relationship lost, opted out). */
export const exitJourneySignal = defineSignal<[{ reason: JourneyExitReason }]>('exit');
/** Where a customer is in their journey. */
export const journeyPositionQuery = defineQuery<{ version: number; stepIndex: number; status: string; exitReason: string | null }>('position');
