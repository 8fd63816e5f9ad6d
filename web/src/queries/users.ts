import { useQuery } from '@pinia/colada';
import { toValue, type MaybeRefOrGetter } from 'vue';
import * as api from '../api/users.ts';

/** One page of the audit log (admins only); the previous page stays while the next loads. */
export function useAuditLog(page: MaybeRefOrGetter<number>, pageSize: MaybeRefOrGetter<number>) {
  return useQuery({
    key: () => ['audit-log', toValue(page), toValue(pageSize)],
    query: () => api.fetchAuditLog(toValue(page), toValue(pageSize)),
    placeholderData: (previous) => previous,
  });
}
