import { Tag, WeworkCustomer, WeworkCustomerFollow } from '../db/entities/index.ts';
import type { WeComApi } from '../wecom/wecom-api.ts';
import type { ActivityDeps } from './deps.ts';
import { ensureCorpTag } from '../wecom/corp-tags.ts';
import { asActivityFailure, hasErrcode } from './wecom-failure.ts';

/** Activities behind the dashboard's tag editor. */
export function createCustomerTagsActivities(deps: ActivityDeps) {
  return {
    /**
     * Adds and removes local tags on a customer, in WeCom first (mark_tag for every staff member
     * who still follows the customer, as WeCom keeps tags per relationship), then locally. Running
     * it again gives the same result: mark_tag of a tag already there changes nothing.
     */
    async applyCustomerTags(input: { customerId: number; add: number[]; remove: number[] }): Promise<{ tagIds: number[]; markedFor: number }> {
      const em = deps.orm.em.fork();
      const customer = await em.findOneOrFail(WeworkCustomer, { id: input.customerId }, { populate: ['tags'] });
      const tags = await em.find(Tag, { id: { $in: [...input.add, ...input.remove] } });
      let api: WeComApi;
      try {
        api = await deps.wecom();
        for (const tag of tags) {
          if (tag.wecomTagId || !input.add.includes(tag.id)) continue;
          const found = await ensureCorpTag(api, tag);
          tag.wecomTagId = found.tagId;
          tag.wecomGroupId = found.groupId;
        }
      } catch (error) {
        throw asActivityFailure(error);
      }
      await em.flush();

      const addIds = tags.filter((tag) => input.add.includes(tag.id)).map((tag) => tag.wecomTagId!).filter(Boolean);
      const removeIds = tags.filter((tag) => input.remove.includes(tag.id)).map((tag) => tag.wecomTagId).filter((id): id is string => Boolean(id));
      const follows = await em.find(WeworkCustomerFollow, { customer: customer.id, status: 'active' });
      let markedFor = 0;
      for (const follow of follows) {
        if (addIds.length + removeIds.length === 0) break;
        try {
          await api.tags.mark({
            userid: follow.staffUserid, external_userid: customer.externalUserid,
            ...(addIds.length > 0 ? { add_tag: addIds } : {}), ...(removeIds.length > 0 ? { remove_tag: removeIds } : {}),
          });
          markedFor += 1;
        } catch (error) {
          // 84061: the relationship ended in WeCom since the last sync; the other staff members still get the change.
          if (hasErrcode(error, 84061)) continue;
          throw asActivityFailure(error);
        }
        follow.wecomTagIds = [...new Set([...follow.wecomTagIds.filter((id) => !removeIds.includes(id)), ...addIds])];
      }

      for (const tag of tags) {
        if (input.add.includes(tag.id) && !customer.tags.contains(tag)) customer.tags.add(tag);
        if (input.remove.includes(tag.id) && customer.tags.contains(tag)) customer.tags.remove(tag);
      }
      await em.flush();
      return { tagIds: customer.tags.getItems().map((tag) => tag.id).sort((a, b) => a - b), markedFor };
    },
  };
}
