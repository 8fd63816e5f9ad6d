import { formatClinicTime } from '../common/clinic-time.ts';
import { readClinicCompliance } from '../db/compliance.store.ts';
import { AppointmentReminder, Appointment } from '../db/entities/index.ts';
import { createSingleRecipientRun } from './automation-runs.ts';
import type { ActivityDeps } from './deps.ts';
import { asActivityFailure } from './wecom-failure.ts';
import { sendStaffNotice, type StaffNoticeOutcome } from './staff-notice.ts';

/**
 * What one reminder did ('stale' when the appointment moved, was cancelled or has begun meanwhile). The
 * customer's reminder is a send run (care class) that the workflow hands to sendRunWorkflow.
 */
export interface ReminderOutcome {
  staff: StaffNoticeOutcome | 'failed' | 'stale';
  customerRunId: number | null;
}

/** A reminder's lead time in words: 2 小时, 1 天, 30 分钟. */
function leadTime(minutes: number): string {
  if (minutes % 1440 === 0) return ` ${minutes / 1440} 天`;
  if (minutes % 60 === 0) return ` ${minutes / 60} 小时`;
  return ` ${minutes} 分钟`;
}

/** Activities of the appointment workflow; each is idempotent. */
export function createAppointmentActivities(deps: ActivityDeps) {
  return {
    /**
     * Sends one reminder of one appointment time: to the staff member by app message, and creates
     * the customer's as a care-class send run from that staff member, or, when they do not follow
     * the customer in WeCom (a doctor booked by the clinic's system), from the one who does. The
     * database is checked first (belt and braces to the workflow's own state): a reminder for a
     * time that is no longer the appointment's, or for a cancelled one, sends nothing.
     */
    async remindAppointment(input: { appointmentId: number; startsAt: string; offsetMinutes: number }): Promise<ReminderOutcome> {
      const em = deps.orm.em.fork();
      const appointment = await em.findOne(Appointment, { id: input.appointmentId }, { populate: ['customer'] });
      if (!appointment || appointment.status !== 'booked' || appointment.startsAt.getTime() !== Date.parse(input.startsAt)) {
        return { staff: 'stale', customerRunId: null };
      }
      // A reminder whose moment came while no worker ran, and which is only now taken up after the
      // appointment began, would remind of something past: it sends nothing.
      if (appointment.startsAt.getTime() <= Date.now()) return { staff: 'stale', customerRunId: null };
      const { timeZone } = await readClinicCompliance(em);
      const when = formatClinicTime(appointment.startsAt.getTime(), timeZone);
      const name = appointment.customer.name ?? appointment.externalUserid;
      const key = `appointment:${input.appointmentId}:${input.startsAt}:${input.offsetMinutes}`;

      const record = async (audience: 'staff' | 'customer', outcome: string) => {
        await em.upsert(AppointmentReminder, { appointment: appointment.id, startsAt: appointment.startsAt, offsetMinutes: input.offsetMinutes, audience, outcome }, {
          onConflictFields: ['appointment', 'startsAt', 'offsetMinutes', 'audience'], onConflictAction: 'merge', onConflictMergeFields: ['outcome'],
        });
      };
      let staff: ReminderOutcome['staff'];
      try {
        staff = await sendStaffNotice(deps, {
          sendKey: `${key}:staff`, userId: appointment.staffUserid, externalUserId: appointment.externalUserid,
          // The lead time keeps each reminder's text distinct: WeCom's duplicate check drops an identical app message within 30 min.
          text: `预约提醒（提前${leadTime(input.offsetMinutes)}）：客户 ${name} 预约了 ${appointment.project}，时间 ${when}，请做好接待准备。`,
        });
      } catch (error) {
        // A rate-limit minute or a network failure delays the reminder (Temporal retries; the
        // notice's pending row and WeCom's duplicate check keep it single); a refusal is its outcome.
        const failure = asActivityFailure(error);
        if (!failure.nonRetryable) throw failure;
        staff = 'failed';
      }
      await record('staff', staff);
      const customerRunId = await createSingleRecipientRun(em, {
        kind: 'appointment', messageClass: 'care', launchKey: `${key}:customer`, customerId: appointment.customer.id,
        externalUserId: appointment.externalUserid, sender: appointment.staffUserid, orAnyFollower: true,
        text: `温馨提示：您预约的 ${appointment.project} 将于 ${when} 开始，期待您的到来。如需改期请随时联系我。`,
      });
      await record('customer', 'queued');
      return { staff, customerRunId };
    },

    /** Writes a reschedule or a cancellation (called by the workflow's Updates, the appointment's only writer). */
    async saveAppointmentChange(input: { appointmentId: number; change: { startsAt: string } | { cancelled: true } }): Promise<void> {
      const connection = deps.orm.em.fork().getConnection();
      if ('startsAt' in input.change) {
        // Idempotent: a retry of the same change does not count a second reschedule.
        await connection.execute(
          `update appointments set starts_at = ?, reschedules = reschedules + 1, updated_at = now() where id = ? and starts_at <> ?`,
          [input.change.startsAt, input.appointmentId, input.change.startsAt]);
      } else {
        await connection.execute(
          `update appointments set status = 'cancelled', cancelled_at = coalesce(cancelled_at, now()), updated_at = now() where id = ?`, [input.appointmentId]);
      }
    },

    /** Marks an appointment whose time has passed (still booked) as completed. */
    async completeAppointment(input: { appointmentId: number; startsAt: string }): Promise<void> {
      await deps.orm.em.fork().getConnection().execute(
        `update appointments set status = 'completed', updated_at = now() where id = ? and status = 'booked' and starts_at = ?`, [input.appointmentId, input.startsAt]);
    },
  };
}
