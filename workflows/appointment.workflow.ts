import { allHandlersFinished, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import { startSendRun } from './automation-sends.ts';
import type { Activities } from '../activities/index.ts';
import { activityPresets } from './activity-options.ts';
import {
  appointmentStateQuery, cancelAppointmentUpdate, rescheduleAppointmentUpdate, type AppointmentReminderRecord,
} from './automations.definitions.ts';

const send = proxyActivities<Activities>(activityPresets.automationSend);
const database = proxyActivities<Activities>(activityPresets.database);

/** Input of one appointment's workflow (v1). */
export interface AppointmentWorkflowInput {
  appointmentId: number;
  startsAt: string;
  /** Minutes before `startsAt` at which to remind (the clinic's offsets when booked, e.g. 1440 and 120). */
  offsetsMinutes: number[];
}

/**
 * One appointment's reminders: sleeps until each offset before the appointment and reminds the
 * staff member and the customer. Rescheduled and cancelled through Updates, which write the
 * database through an activity first (the workflow is the appointment's only writer after
 * booking), so only the time in force when a timer fires reminds, and a cancelled one never does.
 * Reminder times already past when (re)scheduled are skipped rather than sent late, and the
 * customer's reminder is withdrawn if it is still unsent or unconfirmed when the appointment starts.
 */
export async function appointmentWorkflow(input: AppointmentWorkflowInput): Promise<{ startsAt: string; cancelled: boolean; reminders: AppointmentReminderRecord[] }> {
  let startsAt = Date.parse(input.startsAt);
  let cancelled = false;
  let generation = 0;
  let reschedules = 0;
  /** Changes whose database write is still running: no reminder fires while one is. */
  let changing = 0;
  const reminders: AppointmentReminderRecord[] = [];
  const done = new Set<string>();

  setHandler(appointmentStateQuery, () => ({ startsAt: new Date(startsAt).toISOString(), cancelled, reminders }));
  setHandler(rescheduleAppointmentUpdate, async ({ startsAt: next }) => {
    changing++;
    try {
      const at = new Date(Date.parse(next)).toISOString();
      await database.saveAppointmentChange({ appointmentId: input.appointmentId, change: { startsAt: at } });
      startsAt = Date.parse(at);
      reschedules++;
      generation++;
      return { startsAt: at, reschedules };
    } finally {
      changing--;
    }
  }, {
    validator: ({ startsAt: next }) => {
      if (cancelled) throw new Error('the appointment is cancelled');
      if (Number.isNaN(Date.parse(next))) throw new Error('startsAt must be an ISO-8601 time');
      if (Date.parse(next) <= Date.now()) throw new Error('startsAt must be in the future');
    },
  });
  setHandler(cancelAppointmentUpdate, async () => {
    changing++;
    try {
      await database.saveAppointmentChange({ appointmentId: input.appointmentId, change: { cancelled: true } });
      cancelled = true;
      generation++;
      return { status: 'cancelled' as const };
    } finally {
      changing--;
    }
  }, {
    validator: () => {
      if (cancelled) throw new Error('the appointment is already cancelled');
    },
  });

  while (!cancelled) {
    const seen = generation;
    const now = Date.now();
    const next = input.offsetsMinutes
      .map((offset) => ({ offset, at: startsAt - offset * 60_000 }))
      .filter((reminder) => reminder.at > now && !done.has(`${startsAt}:${reminder.offset}`))
      .sort((a, b) => a.at - b.at)[0];
    const wakeAt = next?.at ?? startsAt;
    const changed = await condition(() => generation !== seen || cancelled, Math.max(1, wakeAt - now));
    if (changed) continue;
    await condition(() => changing === 0);
    if (generation !== seen || cancelled) continue;
    if (!next) break;
    const at = new Date(startsAt).toISOString();
    done.add(`${startsAt}:${next.offset}`);
    const outcome = await send.remindAppointment({ appointmentId: input.appointmentId, startsAt: at, offsetMinutes: next.offset });
    // A reminder the staff member has not confirmed by the appointment's start is withdrawn then
    // (as is one held by quiet hours until after it): it would tell the customer of a time past.
    if (outcome.customerRunId !== null) await startSendRun(outcome.customerRunId, patched('appointment-reminder-deadline') ? { cancelAt: at } : {});
    reminders.push({ startsAt: at, offsetMinutes: next.offset, staff: outcome.staff, customerRunId: outcome.customerRunId });
  }
  if (!cancelled) await database.completeAppointment({ appointmentId: input.appointmentId, startsAt: new Date(startsAt).toISOString() });
  await condition(allHandlersFinished);
  return { startsAt: new Date(startsAt).toISOString(), cancelled, reminders };
}
