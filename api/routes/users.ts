import { Hono } from 'hono';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  auditLogQuerySchema, createUserRequestSchema, resetPasswordRequestSchema, updateUserRequestSchema,
  type AuditLogPage, type AuditAction,
} from '../../common/users.schema.ts';
import { AuditLog, DashboardUser } from '../../db/entities/index.ts';
import type { IDashboardUser } from '../../db/entities/dashboard-user.entity.ts';
import { recordAudit } from '../auth/audit.ts';
import { hashPassword } from '../auth/password.ts';
import { deleteUserSessions } from '../auth/sessions.ts';
import { toUserView } from '../auth/user-view.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readIdParam, readJson, readQuery } from '../validation.ts';

/** What the user-management routes need from the composition root. */
export interface UserRouteDeps {
  em: () => EntityManager;
}

async function findUserOr404(em: EntityManager, id: number): Promise<IDashboardUser> {
  const user = await em.findOne(DashboardUser, { id });
  if (!user) throw new AppError(404, 'user_not_found', `No user with id ${id}.`);
  return user;
}

/** `/api/users` (admins only): list, create, change role / display name / disabled, reset a password. */
export function userRoutes(deps: UserRouteDeps) {
  return new Hono<AuthEnv>()
    .use(requirePermission('users.manage'))
    .get('/', async (c) => {
      const users = await deps.em().find(DashboardUser, {}, { orderBy: { username: 'asc' } });
      return c.json({ users: users.map(toUserView) }, 200);
    })
    .post('/', async (c) => {
      const input = await readJson(c, createUserRequestSchema);
      const actor = c.get('auth').user;
      const em = deps.em();
      if (await em.count(DashboardUser, { username: input.username }) > 0) {
        throw new AppError(409, 'username_taken', `username: "${input.username}" is already taken`);
      }
      const user = em.create(DashboardUser, {
        username: input.username, displayName: input.displayName || null, role: input.role, passwordHash: await hashPassword(input.password),
      });
      await em.flush();
      await recordAudit(em, {
        actor: { id: actor.id, username: actor.username }, action: 'user.create', target: { type: 'user', id: user.id },
        details: { username: user.username, role: user.role, displayName: user.displayName ?? null }, ip: clientInfo(c).ip,
      });
      return c.json({ user: toUserView(user) }, 201);
    })
    .patch('/:id', async (c) => {
      const id = readIdParam(c);
      const input = await readJson(c, updateUserRequestSchema);
      const actor = c.get('auth').user;
      const result = await deps.em().transactional(async (em) => {
        const user = await findUserOr404(em, id);
        const losesAdmin = user.role === 'admin' && !user.disabled
          && ((input.role !== undefined && input.role !== 'admin') || input.disabled === true);
        if (losesAdmin) {
          // Lock every active admin row, so two admins demoting each other at once cannot both pass the check.
          const admins = await em.find(DashboardUser, { role: 'admin', disabled: false }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          if (admins.length <= 1) {
            throw new AppError(409, 'last_admin', 'This is the last active admin: make another user admin before demoting or disabling this one.');
          }
        }
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        if (input.role !== undefined && input.role !== user.role) {
          changes.role = { from: user.role, to: input.role };
          user.role = input.role;
        }
        if (input.displayName !== undefined && (input.displayName || null) !== (user.displayName ?? null)) {
          changes.displayName = { from: user.displayName ?? null, to: input.displayName || null };
          user.displayName = input.displayName || null;
        }
        if (input.disabled !== undefined && input.disabled !== user.disabled) {
          changes.disabled = { from: user.disabled, to: input.disabled };
          user.disabled = input.disabled;
        }
        await em.flush();
        // A disabled user is signed out everywhere at once.
        if (changes.disabled && user.disabled) await deleteUserSessions(em, user.id);
        return { user, changes };
      });
      const { user, changes } = result;
      if (Object.keys(changes).length > 0) {
        const action: AuditAction = changes.disabled ? (user.disabled ? 'user.disable' : 'user.enable') : 'user.update';
        await recordAudit(deps.em(), {
          actor: { id: actor.id, username: actor.username }, action, target: { type: 'user', id: user.id },
          details: { username: user.username, changes }, ip: clientInfo(c).ip,
        });
      }
      return c.json({ user: toUserView(user) }, 200);
    })
    .post('/:id/reset-password', async (c) => {
      const id = readIdParam(c);
      const { password } = await readJson(c, resetPasswordRequestSchema);
      const actor = c.get('auth').user;
      const em = deps.em();
      const user = await findUserOr404(em, id);
      user.passwordHash = await hashPassword(password);
      await em.flush();
      // Whoever knew the old password is signed out everywhere (an admin resetting their own signs in again).
      await deleteUserSessions(em, user.id);
      await recordAudit(em, {
        actor: { id: actor.id, username: actor.username }, action: 'user.password_reset', target: { type: 'user', id: user.id },
        details: { username: user.username }, ip: clientInfo(c).ip,
      });
      return c.json({ ok: true as const }, 200);
    });
}

/** `GET /api/audit-logs` (admins only): newest first, paged, optionally one action. */
export function auditLogRoutes(deps: UserRouteDeps) {
  return new Hono<AuthEnv>()
    .use(requirePermission('audit.view'))
    .get('/', async (c) => {
      const { page, pageSize, action } = readQuery(c, auditLogQuerySchema);
      const [rows, total] = await deps.em().findAndCount(AuditLog, action ? { action } : {}, {
        orderBy: { createdAt: 'desc', id: 'desc' }, limit: pageSize, offset: (page - 1) * pageSize,
      });
      const body: AuditLogPage = {
        items: rows.map((row) => ({
          id: row.id, createdAt: row.createdAt.toISOString(), actorUserId: row.actorUserId ?? null, actorUsername: row.actorUsername ?? null,
          action: row.action, targetType: row.targetType ?? null, targetId: row.targetId ?? null, details: row.details, ip: row.ip ?? null,
        })),
        total, page, pageSize,
      };
      return c.json(body, 200);
    });
}
