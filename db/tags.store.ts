import type { EntityManager } from '@mikro-orm/postgresql';
import { Tag } from './entities/index.ts';
import type { ITag } from './entities/tag.entity.ts';

/** The local tag of a group/name pair, created when missing (two callers at once get the same row). */
export async function findOrCreateTag(em: EntityManager, groupName: string, name: string): Promise<ITag> {
  await em.upsert(Tag, { groupName, name }, { onConflictFields: ['groupName', 'name'], onConflictAction: 'ignore' });
  return em.findOneOrFail(Tag, { groupName, name });
}
