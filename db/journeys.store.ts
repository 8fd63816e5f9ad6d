import type { EntityManager } from '@mikro-orm/postgresql';
import type { JourneyStep } from '../common/journeys.schema.ts';
import { Journey, JourneyVersion } from './entities/index.ts';

/** What a journey is saved as: its name, channel, whether new customers enter it, and its steps. */
export interface JourneyDraft { name: string; channel: string; active: boolean; steps: JourneyStep[] }

/**
 * Saves a journey: a new one gets version 1; changed steps become a new immutable version that new
 * customers start with, while customers already in it keep theirs. Returns the id and the current version.
 */
export async function saveJourney(em: EntityManager, draft: JourneyDraft, journeyId?: number): Promise<{ id: number; version: number; created: boolean }> {
  return em.transactional(async (tx) => {
    if (journeyId === undefined) {
      const journey = tx.create(Journey, { name: draft.name, channel: draft.channel, active: draft.active, currentVersion: 1 });
      tx.create(JourneyVersion, { journey, version: 1, steps: draft.steps });
      await tx.flush();
      return { id: journey.id, version: 1, created: true };
    }
    const journey = await tx.findOneOrFail(Journey, { id: journeyId });
    const current = await tx.findOneOrFail(JourneyVersion, { journey, version: journey.currentVersion });
    Object.assign(journey, { name: draft.name, channel: draft.channel, active: draft.active });
    if (JSON.stringify(current.steps) !== JSON.stringify(draft.steps)) {
      journey.currentVersion += 1;
      tx.create(JourneyVersion, { journey, version: journey.currentVersion, steps: draft.steps });
    }
    await tx.flush();
    return { id: journey.id, version: journey.currentVersion, created: false };
  });
}
