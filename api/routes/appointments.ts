import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  appointmentListQuerySchema, createAppointmentRequestSchema, rescheduleAppointmentRequestSchema, type AppointmentView,
} from '../../common/automations.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { Appointment, AppointmentReminder, AutomationSettings, WeworkCustomer } from '../../db/entities/index.ts';
import type { IAppointment } from '../../db/entities/appointment.entity.ts';
import type { appointmentWorkflow } from '../../workflows/appointment.workflow.ts';
import { AppError } from '../errors.ts';
import { controlSendRun } from '../temporal/campaign-control.ts';
import { requirePermission, type AuthEnv } from '../middleware/auth.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { readIdParam, readJson, readQuery } from '../validation.ts';
import { contactAttributes } from '../temporal/event-router.ts';
import { exitJourneysOf } from './journey-signals.ts';

// The API may import workflow types only, so it names the Updates (workflows/automations.definitions.ts).
const RESCHEDULE_UPDATE = 'reschedule';
const CANCEL_UPDATE = 'cancel';
/** What the appointment routes need from the composition root. */
export interface AppointmentRouteDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
}

/** Where each reminder of the appointment's current time stands (see AppointmentView.reminderPlan). */
function reminderPlan(appointment: IAppointment, offsets: number[], sentAt: Map<number, Date>): AppointmentView['reminderPlan'] {
  const startsAt = appointment.startsAt.getTime();
  return [...offsets].sort((a, b) => b - a).map((offsetMinutes) => {
    const at = startsAt - offsetMinutes * 60_000;
    const sent = sentAt.get(offsetMinutes);
    const state = sent ? 'sent' : appointment.status === 'cancelled' ? 'cancelled'
      // Past and not sent: it was already past when booked or moved there, and is never sent late.
      : at <= Date.now() ? 'skipped' : 'scheduled';
    return { offsetMinutes, at: new Date(at).toISOString(), state };
  });
}

async function view(em: EntityManager, appointment: IAppointment): Promise<AppointmentView> {
  const reminders = await em.find(AppointmentReminder, { appointment: appointment.id }, { orderBy: { createdAt: 'asc' } });
  const { appointmentOffsetsMinutes } = await em.findOneOrFail(AutomationSettings, { id: 1 });
  const sentAt = new Map(reminders.filter((r) => r.startsAt.getTime() === appointment.startsAt.getTime() && r.audience === 'staff').map((r) => [r.offsetMinutes, r.createdAt]));
  return {
    id: appointment.id, customerId: appointment.customer.id, externalUserId: appointment.externalUserid, customerName: appointment.customer.name ?? null,
    staffUserId: appointment.staffUserid, project: appointment.project, startsAt: appointment.startsAt.toISOString(), status: appointment.status,
    source: appointment.source, reschedules: appointment.reschedules, workflowId: workflowIds.appointment(appointment.id),
    reminders: reminders.map((r) => ({ startsAt: r.startsAt.toISOString(), offsetMinutes: r.offsetMinutes, audience: r.audience, outcome: r.outcome, at: r.createdAt.toISOString() })),
    reminderPlan: reminderPlan(appointment, appointmentOffsetsMinutes, sentAt),
  };
}

async function findAppointment(em: EntityManager, id: number): Promise<IAppointment> {
  const appointment = await em.findOne(Appointment, { id }, { populate: ['customer'] });
  if (!appointment) throw new AppError(404, 'appointment_not_found', `No appointment with id ${id}.`);
  return appointment;
}

/** Starts (or, after a finished run, starts again) the reminders of an appointment at its current time. */
async function startReminders(deps: AppointmentRouteDeps, em: EntityManager, appointment: IAppointment): Promise<void> {
  const settings = await em.findOneOrFail(AutomationSettings, { id: 1 });
  await deps.temporal.client.workflow.start<typeof appointmentWorkflow>('appointmentWorkflow', {
    taskQueue: deps.temporal.taskQueueFor('appointmentWorkflow'),
    workflowId: workflowIds.appointment(appointment.id),
    args: [{ appointmentId: appointment.id, startsAt: appointment.startsAt.toISOString(), offsetsMinutes: settings.appointmentOffsetsMinutes }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    // Opaque WeCom ids only: an operator finds a customer's reminders, and erasure (PIPL) finds and deletes them.
    typedSearchAttributes: contactAttributes(appointment.staffUserid, appointment.externalUserid),
    staticSummary: `appointment ${appointment.id}`,
  });
}

function rejectPast(startsAt: string): void {
  if (Date.parse(startsAt) <= Date.now()) throw new AppError(400, 'invalid_request', 'startsAt must be in the future');
}

/**
 * Cancels the customer's reminders still on their way for times the appointment no longer has
 * (every one, once it is cancelled; `keep` names the current time's). A reminder is a 群发 task
 * the staff member confirms later: unconfirmed, it would still tell the customer the old time.
 */
async function withdrawCustomerReminders(deps: AppointmentRouteDeps, appointmentId: number, keep: string | null): Promise<void> {
  const prefix = `appointment:${appointmentId}:`;
  const runs = await deps.em().getConnection().execute<Array<{ id: number; workflow_id: string }>>(
    `select id, workflow_id from send_runs where kind = 'appointment' and workflow_id like ? and status not in ('completed', 'cancelled', 'failed')`, [`${prefix}%:customer`]);
  for (const run of runs) {
    if (keep !== null && run.workflow_id.startsWith(`${prefix}${keep}:`)) continue;
    // A run that has just ended (every task confirmed) has nothing left to withdraw.
    await controlSendRun(deps.temporal.client, run.id, 'cancel').catch(() => undefined);
  }
}

/** Runs an Update on the appointment's workflow; false when no workflow is running for it any more. */
async function updateWorkflow(deps: AppointmentRouteDeps, id: number, run: (handle: ReturnType<TemporalGateway['client']['workflow']['getHandle']>) => Promise<unknown>): Promise<boolean> {
  try {
    await run(deps.temporal.client.workflow.getHandle(workflowIds.appointment(id)));
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || /completed|not found/i.test((error as Error).message)) return false;
    if (error instanceof WorkflowUpdateFailedError) throw new AppError(409, 'appointment_conflict', error.cause?.message ?? error.message);
    throw error;
  }
}

/**
 * `/api/appointments` (SPEC §3): the clinic's booking system and the dashboard book, move and
 * cancel appointments; each has one reminder workflow that the changes reach through Updates.
 */
export function appointmentRoutes(deps: AppointmentRouteDeps) {
  return new Hono<AuthEnv>()
    .get('/', requirePermission('automations.view'), async (c) => {
      const query = readQuery(c, appointmentListQuerySchema);
      const em = deps.em();
      const where: Record<string, unknown> = {};
      if (query.from || query.to) where.startsAt = { ...(query.from ? { $gte: new Date(query.from) } : {}), ...(query.to ? { $lt: new Date(query.to) } : {}) };
      if (query.status) where.status = query.status;
      const rows = await em.find(Appointment, where, { populate: ['customer'], orderBy: { startsAt: 'asc' }, limit: 500 });
      return c.json({ items: await Promise.all(rows.map((row) => view(em, row))) }, 200);
    })
    .get('/:id', requirePermission('automations.view'), async (c) => {
      const em = deps.em();
      return c.json(await view(em, await findAppointment(em, readIdParam(c))), 200);
    })
    .post('/', requirePermission('automations.manage'), async (c) => {
      const input = await readJson(c, createAppointmentRequestSchema);
      rejectPast(input.startsAt);
      const em = deps.em();
      const customer = await em.findOne(WeworkCustomer, { externalUserid: input.externalUserId });
      if (!customer) throw new AppError(404, 'customer_not_found', `No customer with externalUserId ${input.externalUserId}.`);
      const appointment = em.create(Appointment, {
        customer, externalUserid: input.externalUserId, staffUserid: input.staffUserId, project: input.project, startsAt: new Date(input.startsAt),
        source: c.req.header('x-booking-source') === 'dashboard' ? 'dashboard' : 'api',
      });
      await em.flush();
      try {
        await startReminders(deps, em, appointment);
      } catch (error) {
        // No reminders, no booking: the booking system's retry (after a 503) must not book it twice.
        await em.getConnection().execute('delete from appointments where id = ?', [appointment.id]);
        throw error;
      }
      // A booking is a conversion: the lead moves to 'booked' (never backwards from converted).
      await em.getConnection().execute(`update leads set status = 'booked', updated_at = now() where id = ? and status in ('new', 'contacted')`, [customer.lead?.id ?? 0]);
      await exitJourneysOf(deps.temporal.client, em, customer.id, 'booked');
      return c.json({ id: appointment.id }, 201);
    })
    .patch('/:id', requirePermission('automations.manage'), async (c) => {
      const id = readIdParam(c);
      const input = await readJson(c, rescheduleAppointmentRequestSchema);
      rejectPast(input.startsAt);
      const em = deps.em();
      const appointment = await findAppointment(em, id);
      if (appointment.status === 'cancelled') throw new AppError(409, 'appointment_cancelled', 'A cancelled appointment cannot be rescheduled; book a new one.');
      const updated = await updateWorkflow(deps, id, (handle) => handle.executeUpdate<unknown, [{ startsAt: string }]>(RESCHEDULE_UPDATE, { args: [{ startsAt: input.startsAt }] }));
      if (!updated) {
        // Its workflow has ended (the old time passed): write the change here and remind afresh.
        await em.getConnection().execute(`update appointments set starts_at = ?, status = 'booked', reschedules = reschedules + 1, updated_at = now() where id = ?`, [new Date(input.startsAt), id]);
        await startReminders(deps, em, await findAppointment(deps.em(), id));
      }
      await withdrawCustomerReminders(deps, id, input.startsAt);
      return c.json(await view(deps.em(), await findAppointment(deps.em(), id)), 200);
    })
    .post('/:id/cancel', requirePermission('automations.manage'), async (c) => {
      const id = readIdParam(c);
      const em = deps.em();
      const appointment = await findAppointment(em, id);
      if (appointment.status !== 'cancelled') {
        const updated = await updateWorkflow(deps, id, (handle) => handle.executeUpdate<unknown, []>(CANCEL_UPDATE));
        if (!updated) await em.getConnection().execute(`update appointments set status = 'cancelled', cancelled_at = now(), updated_at = now() where id = ?`, [id]);
      }
      await withdrawCustomerReminders(deps, id, null);
      return c.json(await view(deps.em(), await findAppointment(deps.em(), id)), 200);
    });
}
