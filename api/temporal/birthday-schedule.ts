import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { workflowIds } from '../../common/workflow-ids.ts';
import { readClinicCompliance } from '../../db/compliance.store.ts';
import { AutomationSettings } from '../../db/entities/index.ts';
import type { BirthdayDayInput } from '../../workflows/birthday-day.workflow.ts';

/**
 * A week: after a Temporal outage the Schedule starts each missed day's run. That is a second line:
 * each scheduled run itself catches up the recent days no run did (birthdayDayWorkflow's
 * look-back, late and once; the notice says so), whatever stopped them; older days are caught up
 * by an operator with `POST /api/automations/birthdays/run`.
 */
const CATCHUP_WINDOW = '7 days';

/**
 * Creates (or brings up to date) the one Temporal Schedule of the birthday engine: every day at
 * the clinic's birthday hour in the clinic's time zone it starts that day's birthdayDayWorkflow,
 * which works out its day from the scheduled time. Called at API start and when the settings change.
 */
export async function ensureBirthdaySchedule(client: Client, taskQueue: string, em: EntityManager): Promise<'created' | 'updated'> {
  const settings = await em.findOneOrFail(AutomationSettings, { id: 1 });
  const { timeZone } = await readClinicCompliance(em);
  const spec: ScheduleSpec = { calendars: [{ hour: settings.birthdayHour, minute: 0 }], timezone: timeZone };
  const input: BirthdayDayInput = {};
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow', workflowType: 'birthdayDayWorkflow', args: [input], taskQueue,
    workflowId: 'birthdays:scheduled',
  };
  try {
    await client.schedule.create({
      scheduleId: workflowIds.birthdaySchedule(),
      spec,
      action,
      // Days run one after another (a catch-up day and today never interleave their sends).
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: CATCHUP_WINDOW },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(workflowIds.birthdaySchedule()).update((previous) => ({
      ...previous, spec, action, policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: CATCHUP_WINDOW },
    }));
    return 'updated';
  }
}
