import { useMutation, useQuery, useQueryCache } from '@pinia/colada';
import { toValue, type MaybeRefOrGetter } from 'vue';
import type { JourneyStep } from '../../../common/journeys.schema.ts';
import * as api from '../api/automations.ts';

/** The journeys with their versions and how many customers are in each. */
export function useJourneys() {
  return useQuery({ key: ['journeys', 'list'], query: () => api.listJourneys() });
}

/**
 * One journey (versions, counts per step, customers' positions); idle while `id` is null. Keyed by
 * id with no placeholder, so journey B never shows journey A's customers while it loads.
 */
export function useJourney(id: MaybeRefOrGetter<number | null>) {
  return useQuery({
    key: () => ['journeys', 'detail', toValue(id) ?? 0],
    query: () => api.getJourney(toValue(id)!),
    enabled: () => toValue(id) !== null,
  });
}

/** Saves a new journey or a new version of one (`id`), then refreshes the list and that journey. */
export function useSaveJourney() {
  const cache = useQueryCache();
  return useMutation({
    mutation: (input: { id?: number; name: string; channel: string; active: boolean; steps: JourneyStep[] }) => {
      const { id, ...body } = input;
      return api.saveJourney(body, id);
    },
    onSettled: () => void cache.invalidateQueries({ key: ['journeys'] }),
  });
}

/** Sends the clinic's birthday sheet: a preview, or (`apply`) the write, after which customers' birthdays refresh. */
export function useBirthdayImport() {
  const cache = useQueryCache();
  return useMutation({
    mutation: (input: { file: File; apply: boolean }) => api.importBirthdayFile(input.file, input.apply),
    onSettled: (_data, _error, input) => {
      if (input.apply) void cache.invalidateQueries({ key: ['customers'] });
    },
  });
}

/** The appointments list (with each one's reminder plan). */
export function useAppointments() {
  return useQuery({ key: ['appointments'], query: () => api.listAppointments() });
}

/** Books, reschedules or cancels an appointment (each through the appointment workflow), then refreshes the list. */
export function useAppointmentChange() {
  const cache = useQueryCache();
  return useMutation({
    mutation: (change:
      | { kind: 'book'; input: Parameters<typeof api.bookAppointment>[0] }
      | { kind: 'reschedule'; id: number; startsAt: string }
      | { kind: 'cancel'; id: number }): Promise<unknown> => {
      if (change.kind === 'book') return api.bookAppointment(change.input);
      if (change.kind === 'reschedule') return api.rescheduleAppointment(change.id, change.startsAt);
      return api.cancelAppointment(change.id);
    },
    onSettled: () => void cache.invalidateQueries({ key: ['appointments'] }),
  });
}
