import { p } from '@mikro-orm/core';

/** Id and timestamps shared by every table; spread into each entity's properties. */
export const baseProperties = {
  id: p.integer().primary(),
  createdAt: p.datetime().onCreate(() => new Date()),
  updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
};
