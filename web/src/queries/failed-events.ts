import { useMutation, useQuery, useQueryCache } from '@pinia/colada';
import * as api from '../api/failed-events.ts';

/** The dead letters and the failed event workflows (admins), refreshed every 10 s while shown. */
export function useFailedEvents() {
  const deadLetters = useQuery({ key: ['failed-events', 'dead-letters'], query: () => api.fetchDeadLetters(), refetchOnWindowFocus: true });
  const failedRuns = useQuery({ key: ['failed-events', 'workflows'], query: () => api.fetchFailedEvents(), refetchOnWindowFocus: true });
  return { deadLetters, failedRuns };
}

/** Retries a dead letter or re-runs a failed workflow; both lists are asked for again afterwards. */
export function useRetryFailedEvent() {
  const cache = useQueryCache();
  return useMutation({
    mutation: (target: { kind: 'dead-letter'; id: string } | { kind: 'workflow'; workflowId: string }) =>
      (target.kind === 'dead-letter' ? api.retryDeadLetter(target.id) : api.rerunEvent(target.workflowId)),
    onSettled: () => void cache.invalidateQueries({ key: ['failed-events'] }),
  });
}
