import type { Hono } from 'hono';
import { z } from 'zod';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { decodeCursor, encodeCursor, pageLimit } from '../paging.ts';
import type { Staff } from '../state.ts';
import { parseBody, wecomRoute } from '../wecom-route.ts';

function departmentIds(ctx: SimContext, root: number, withChildren: boolean): Set<number> {
  const ids = new Set([root]);
  if (!withChildren) return ids;
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of ctx.state.departments) if (ids.has(d.parentid) && !ids.has(d.id)) { ids.add(d.id); grew = true; }
  }
  return ids;
}

function staffIn(ctx: SimContext, departmentId: string | undefined, fetchChild: string | undefined): Staff[] {
  const all = [...ctx.state.staff.values()];
  if (!departmentId) return all;
  const id = Number(departmentId);
  if (!ctx.state.departments.some((d) => d.id === id)) throw wecomError('invalidParam', 'invalid department_id');
  const ids = departmentIds(ctx, id, fetchChild === '1');
  return all.filter((s) => s.department.some((d) => ids.has(d)));
}

const detail = (s: Staff) => ({ userid: s.userid, name: s.name, department: s.department, position: s.position, mobile: s.mobile, status: 1 });

/** Staff directory: department/list, user/get, user/simplelist, user/list, user/list_id. */
export function registerUserRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(app, ctx, 'GET', 'department/list', () => ({ department: ctx.state.departments }));

  wecomRoute(app, ctx, 'GET', 'user/get', ({ query }) => {
    const s = query.userid ? ctx.state.staff.get(query.userid) : undefined;
    if (!s) throw wecomError('userNotFound');
    return detail(s);
  });

  wecomRoute(app, ctx, 'GET', 'user/simplelist', ({ query }) => ({
    userlist: staffIn(ctx, query.department_id, query.fetch_child).map((s) => ({ userid: s.userid, name: s.name, department: s.department })),
  }));

  wecomRoute(app, ctx, 'GET', 'user/list', ({ query }) => ({ userlist: staffIn(ctx, query.department_id, query.fetch_child).map(detail) }));

  const listIdBody = z.object({ cursor: z.string().optional(), limit: z.number().int().optional() });
  wecomRoute(app, ctx, 'POST', 'user/list_id', ({ body }) => {
    const b = parseBody(listIdBody, body);
    const limit = pageLimit(b.limit, 10000, 10000);
    const rows = [...ctx.state.staff.values()].flatMap((s) => s.department.map((d) => ({ userid: s.userid, department: d })));
    const offset = decodeCursor(b.cursor, (v): v is number => typeof v === 'number') ?? 0;
    const page = rows.slice(offset, offset + limit);
    return { next_cursor: offset + limit < rows.length ? encodeCursor(offset + limit) : '', dept_user: page };
  });
}
