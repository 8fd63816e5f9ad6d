import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppointmentActivities } from '../../../activities/appointments.activities.ts';
import { workflowIds } from '../../../common/workflow-ids.ts';
import { Appointment, AppointmentReminder } from '../../../db/entities/index.ts';
import { cancelAppointmentUpdate, rescheduleAppointmentUpdate } from '../../../workflows/automations.definitions.ts';
import type { appointmentWorkflow } from '../../../workflows/appointment.workflow.ts';
import { advanceClock, resultOnceClosed, simCustomers, startTimeSkippingHarness, type TimeSkippingHarness } from '../../setup/time-skipping.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('appointment reminders (time-skipping)', () => {
  let h: TimeSkippingHarness;
  let customer: { externalUserId: string; userId: string; id: number };

  beforeAll(async () => {
    h = await startTimeSkippingHarness();
    const [first] = await simCustomers(h.sim, 1);
    customer = { ...first!, id: await h.importSimCustomer(first!.externalUserId) };
  });
  afterAll(async () => h?.stop());

  async function book(startsAt: number): Promise<number> {
    const em = h.db.orm.em.fork();
    const row = em.create(Appointment, { customer: customer.id, externalUserid: customer.externalUserId, staffUserid: customer.userId, project: '水光针', startsAt: new Date(startsAt) });
    await em.flush();
    return row.id;
  }

  async function start(id: number, startsAt: number) {
    return h.env.client.workflow.start<typeof appointmentWorkflow>('appointmentWorkflow', {
      taskQueue: h.taskQueue, workflowId: workflowIds.appointment(id),
      args: [{ appointmentId: id, startsAt: new Date(startsAt).toISOString(), offsetsMinutes: [1440, 120] }],
    });
  }

  async function staffMessagesAbout(project: string) {
    const { messages } = (await (await fetch(`${h.sim.url}/sim/messages?kind=app`)).json()) as { messages: Array<{ to: string[]; body: unknown }> };
    return messages.filter((m) => JSON.stringify(m.body).includes(project));
  }

  it('rescheduled twice, reminds only for the final time: 24 h and 2 h before it, staff and customer', async () => {
    const t0 = await h.env.currentTimeMs();
    const first = t0 + 3 * DAY;
    const id = await book(first);
    const handle = await start(id, first);
    await advanceClock(h.env, { by: DAY / 2 });
    await handle.executeUpdate(rescheduleAppointmentUpdate, { args: [{ startsAt: new Date(t0 + 6 * DAY).toISOString() }] });
    await advanceClock(h.env, { by: DAY });
    const finalTime = new Date(t0 + 4 * DAY + 3 * HOUR).toISOString();
    const answer = await handle.executeUpdate(rescheduleAppointmentUpdate, { args: [{ startsAt: finalTime }] });
    expect(answer).toEqual({ startsAt: finalTime, reschedules: 2 });

    const result = await resultOnceClosed(h.env, handle);
    expect(result.cancelled).toBe(false);
    expect(result.reminders.map((r) => [r.startsAt, r.offsetMinutes, r.staff, typeof r.customerRunId])).toEqual([
      [finalTime, 1440, 'sent', 'number'],
      [finalTime, 120, 'sent', 'number'],
    ]);
    const rows = await h.db.orm.em.fork().find(AppointmentReminder, { appointment: id }, { orderBy: { offsetMinutes: 'desc', audience: 'asc' } });
    expect(rows.map((r) => [r.startsAt.toISOString(), r.offsetMinutes, r.audience])).toEqual([
      [finalTime, 1440, 'customer'], [finalTime, 1440, 'staff'], [finalTime, 120, 'customer'], [finalTime, 120, 'staff'],
    ]);
    const appointment = await h.db.orm.em.fork().findOneOrFail(Appointment, { id });
    expect(appointment).toMatchObject({ startsAt: new Date(finalTime), reschedules: 2, status: 'completed' });
    // What WeCom got: two app messages to the staff member, two 群发 tasks (care class, through the send path) for the customer.
    expect((await staffMessagesAbout('水光针')).map((m) => m.to)).toEqual([[customer.userId], [customer.userId]]);
    expect(await h.groupMessagesTo(customer.externalUserId, 2)).toBe(2);
    const runs = await h.db.orm.em.fork().getConnection().execute<Array<{ kind: string; message_class: string }>>(
      `select kind, message_class from send_runs where id in (${result.reminders.map((r) => r.customerRunId).join(', ')})`);
    expect(runs).toEqual([{ kind: 'appointment', message_class: 'care' }, { kind: 'appointment', message_class: 'care' }]);
  });

  it('a cancelled appointment never reminds', async () => {
    await fetch(`${h.sim.url}/sim/messages`, { method: 'DELETE' });
    const t0 = await h.env.currentTimeMs();
    const id = await book(t0 + 2 * DAY);
    const handle = await start(id, t0 + 2 * DAY);
    await advanceClock(h.env, { by: HOUR });
    await handle.executeUpdate(cancelAppointmentUpdate);
    // The run ends at once: a second cancel finds nothing to change.
    await expect(handle.executeUpdate(cancelAppointmentUpdate)).rejects.toThrow();
    const result = await resultOnceClosed(h.env, handle);
    expect(result).toMatchObject({ cancelled: true, reminders: [] });
    expect(await h.db.orm.em.fork().count(AppointmentReminder, { appointment: id })).toBe(0);
    expect((await h.db.orm.em.fork().findOneOrFail(Appointment, { id })).status).toBe('cancelled');
    expect(await staffMessagesAbout('水光针')).toEqual([]);
    expect(await h.groupMessagesTo(customer.externalUserId, 3)).toBe(2);
  });

  it('a rate-limit minute on the staff notice delays it, not drops it: sent once after the retry', async () => {
    const t0 = await h.env.currentTimeMs();
    const startsAt = t0 + DAY;
    const id = await book(startsAt);
    const before = (await staffMessagesAbout('水光针')).length;
    h.sim.controls.forceError(45009, 1, 'message/send');
    const handle = await h.env.client.workflow.start<typeof appointmentWorkflow>('appointmentWorkflow', {
      taskQueue: h.taskQueue, workflowId: workflowIds.appointment(id), args: [{ appointmentId: id, startsAt: new Date(startsAt).toISOString(), offsetsMinutes: [120] }],
    });
    const result = await resultOnceClosed(h.env, handle);
    expect(result.reminders.map((r) => [r.offsetMinutes, r.staff])).toEqual([[120, 'sent']]);
    expect((await staffMessagesAbout('水光针')).length).toBe(before + 1);
    expect(h.sim.controls.callCount('message/send')).toBeGreaterThanOrEqual(2);
  });

  it('a reminder taken up only after the appointment began (no worker ran at its moment) sends nothing', async () => {
    const id = await book(Date.now() - 60_000);
    const reminders = createAppointmentActivities({ orm: h.db.orm, wecom: async () => { throw new Error('nothing may be sent'); } });
    const before = (await staffMessagesAbout('水光针')).length;
    const startsAt = (await h.db.orm.em.fork().findOneOrFail(Appointment, { id })).startsAt.toISOString();
    await expect(reminders.remindAppointment({ appointmentId: id, startsAt, offsetMinutes: 120 })).resolves.toEqual({ staff: 'stale', customerRunId: null });
    expect((await staffMessagesAbout('水光针')).length).toBe(before);
    expect(await h.db.orm.em.fork().count(AppointmentReminder, { appointment: id })).toBe(0);
  });
  it('reminds the customer through the staff member who follows them when the booked one (a doctor) does not', async () => {
    const doctor = ['zhaoliu', 'wangwu'].find((userid) => userid !== customer.userId)!;
    const em = h.db.orm.em.fork();
    const row = em.create(Appointment, { customer: customer.id, externalUserid: customer.externalUserId, staffUserid: doctor, project: '光子嫩肤', startsAt: new Date(Date.now() + 3 * HOUR) });
    await em.flush();
    const reminders = createAppointmentActivities({ orm: h.db.orm, wecom: h.wecom });
    const outcome = await reminders.remindAppointment({ appointmentId: row.id, startsAt: row.startsAt.toISOString(), offsetMinutes: 120 });
    expect(outcome.staff).toBe('sent');
    // The doctor is told; the customer's 群发 task goes from the one who can reach them.
    expect((await staffMessagesAbout('光子嫩肤')).map((m) => m.to)).toEqual([[doctor]]);
    const recipients = await h.db.orm.em.fork().getConnection().execute<Array<{ sender: string | null }>>('select sender from send_recipients where run_id = ?', [outcome.customerRunId]);
    expect(recipients).toEqual([{ sender: customer.userId }]);
  });
  it('withdraws the customer\'s reminder that the staff member has not confirmed when the appointment starts', async () => {
    h.sim.controls.setOptions({ groupMsgConfirmDelayMs: null });
    try {
      const t0 = await h.env.currentTimeMs();
      const startsAt = t0 + 3 * HOUR;
      const id = await book(startsAt);
      // 15 minutes before: the run then tracks a few polls, not hours of them (each poll is real work under time skipping).
      const handle = await h.env.client.workflow.start<typeof appointmentWorkflow>('appointmentWorkflow', {
        taskQueue: h.taskQueue, workflowId: workflowIds.appointment(id), args: [{ appointmentId: id, startsAt: new Date(startsAt).toISOString(), offsetsMinutes: [15] }],
      });
      const earlier = new Set(h.sim.state.groupMsgs.keys());
      const task = () => [...h.sim.state.groupMsgs.values()].find((msg) => !earlier.has(msg.msgid) && msg.tasks.some((t) => t.external_userids.includes(customer.externalUserId)));
      // The reminder is a task nobody confirms.
      await advanceClock(h.env, startsAt - 10 * 60_000);
      await vi.waitFor(() => expect(task()).toMatchObject({ canceled: false }), { timeout: 10_000, interval: 100 });
      await advanceClock(h.env, startsAt + 10 * 60_000);
      const result = await resultOnceClosed(h.env, handle);
      expect(result.reminders.map((r) => r.offsetMinutes)).toEqual([15]);
      await vi.waitFor(() => expect(task()).toMatchObject({ canceled: true }), { timeout: 10_000, interval: 100 });
      const [run] = await h.db.orm.em.fork().getConnection().execute<Array<{ status: string }>>('select status from send_runs where id = ?', [result.reminders[0]!.customerRunId]);
      expect(run!.status).toBe('cancelled');
    } finally {
      h.sim.controls.setOptions({ groupMsgConfirmDelayMs: 20 });
    }
  });
});
