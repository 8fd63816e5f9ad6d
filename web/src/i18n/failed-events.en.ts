import type { MessageSchema } from './zh-CN.ts';

/** English messages of the 系统状态 page's failed-events panel; spread into en.ts. */
export const failedEventsEn: Pick<MessageSchema, 'failedEvents'> = {
  failedEvents: {
    title: 'Failed events',
    hint: 'WeCom callback events that could not start (dead letters) or did not complete, with the reason. Once the cause is fixed (an API permission granted, say) retry or re-run them here; each action is audited.',
    deadLetters: 'Dead letters (could not start)',
    workflows: 'Event workflows that did not complete',
    noDeadLetters: 'No dead letters',
    noWorkflows: 'No failed event workflows',
    event: 'Event',
    reason: 'Reason',
    since: 'When',
    actions: 'Actions',
    attempts: '{count} attempts',
    retry: 'Retry',
    rerun: 'Re-run',
    confirmRetry: 'Put the dead letter “{name}” back in the queue? Make sure its cause is fixed first.',
    confirmRerun: 'Run the event workflow “{name}” again? Make sure its cause is fixed first.',
    retried: 'Queued again',
    rerunStarted: 'Running again',
    status: { FAILED: 'Failed', TERMINATED: 'Terminated', TIMED_OUT: 'Timed out', CANCELLED: 'Cancelled' },
    errors: {
      dead_letter_not_found: 'This dead letter is gone (perhaps already retried)',
      event_not_found: 'No logged callback started this workflow (its record may have been purged)',
      event_not_failed: 'This event’s workflow has not failed or is running: nothing to re-run',
      inbox_unavailable: 'This API process has no callback inbox',
    },
  },
};
