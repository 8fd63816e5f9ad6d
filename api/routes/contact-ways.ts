import { zipSync } from 'fflate';
import type { z } from 'zod';
import { CLINIC_TIME_ZONE_SQL } from '../../db/compliance.store.ts';
import { Hono, type Context } from 'hono';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  CONTACT_WAY_ERROR_TEXT, contactWayInputSchema, contactWayListQuerySchema, type ContactWayListQuery, DEFAULT_CHAT_EXPIRES_IN, DEFAULT_EXPIRES_IN, simulateScanRequestSchema,
  type ChannelTagOutcome, type ContactWayParsed, type ContactWayView,
} from '../../common/contact-way.schema.ts';
import type { WeComAccess } from '../../activities/wecom-access.ts';
import type { SyncInput, SyncStatus } from '../../common/customers.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import type { customerSyncWorkflow } from '../../workflows/sync.workflow.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { syncRunView } from './sync.ts';
import { CHANNEL_TAG_GROUP, channelName } from '../../common/contact-events.schema.ts';
import { findOrCreateTag } from '../../db/tags.store.ts';
import { ensureCorpTag } from '../../wecom/corp-tags.ts';
import { WeworkContactWay, WeworkStaff } from '../../db/entities/index.ts';
import type { Conclusions, IWeworkContactWay } from '../../db/entities/wework-contact-way.entity.ts';
import type { AddContactWayRequest } from '../../wecom/api/contact-way.ts';
import { recordAudit } from '../auth/audit.ts';
import { containsPattern } from '../customers/filter-sql.ts';
import { AppError } from '../errors.ts';
import { fetchQrImage } from '../wework/qr-image.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readCodedJson, readIdParam, readJson, readQuery } from '../validation.ts';
import { callWeCom } from '../wework/wecom-errors.ts';
import type { SimulatorLink } from '../wework/simulator-link.ts';
import { createLogger } from '../../logging/logger.ts';

const log = createLogger('api');

/** What the channel-code routes need from the composition root. */
export interface ContactWayDeps {
  em: () => EntityManager;
  /** The import runs as a Temporal workflow. */
  temporal: TemporalGateway;
  temporalUiUrl: string | null;
  /** A WeCom client over the shared access token, built fresh from the stored credentials. */
  wecom: () => Promise<WeComAccess>;
  /** The WeCom simulator's "customer" controls, when WECOM_API_BASE is the simulator. */
  simulator: SimulatorLink;
  /** How the API fetches the QR image behind `qr_code` (the browser never reaches WeCom's host). */
  fetchQr?: typeof fetch;
  /** WECOM_API_BASE: besides WeCom's image hosts, the only host QR images are fetched from (the simulator). */
  wecomApiBase: string;
}

/** The channel-code import's run (the sync workflow under its own id), with its progress. */
async function importStatus(deps: ContactWayDeps): Promise<SyncStatus> {
  const run = await deps.temporal.client.workflow.getHandle(workflowIds.contactWayImport()).describe().catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  });
  return syncRunView(deps, run);
}

type Row = {
  id: number; config_id: string; type: number; scene: number; style: number | null; remark: string | null; skip_verify: boolean;
  state: string | null; qr_code: string | null; user_ids: string[]; party_ids: number[]; is_temp: boolean; expires_in: number | null;
  chat_expires_in: number | null; unionid: string | null; is_exclusive: boolean; conclusions: Conclusions | null;
  welcome_template: { text?: string } | null; created_at: Date | string; updated_at: Date | string;
  added: string | number; lost: string | number; leads: string | number;
};

/**
 * The figures of every code's state, read from aggregates rather than 100,000 follows. All time:
 * one row per state of stats_channel_totals (kept by triggers on the follows and leads). For the
 * clinic days `from`..`to` (the four parameters from, to, from, to): relationships added and lost
 * per day from the daily rollup (stats_follow_daily) and leads by their source (`wework_<state>`,
 * leads_source_index) created in the range.
 */
const FIGURES_ALL_TIME = `
  select cw.state, coalesce(t.added, 0) as added, coalesce(t.lost, 0) as lost, coalesce(t.leads, 0) as leads
    from (select distinct state from wework_contact_ways where state is not null and state <> '') cw
    left join stats_channel_totals t on t.state = cw.state`;
const FIGURES_IN_RANGE = `
  select cw.state, coalesce(s.added, 0) as added, coalesce(s.lost, 0) as lost, coalesce(l.leads, 0) as leads
    from (select distinct state from wework_contact_ways where state is not null and state <> '') cw
    left join (select state, sum(added) as added, sum(lost) as lost from stats_follow_daily
                where state in (select state from wework_contact_ways) and day >= ?::date and day <= ?::date
                group by state) s on s.state = cw.state
    left join (select source, count(*) as leads from leads
                where source in (select 'wework_' || state from wework_contact_ways where state is not null)
                  and created_at >= (?::date::timestamp at time zone ${CLINIC_TIME_ZONE_SQL}) and created_at < ((?::date + 1)::timestamp at time zone ${CLINIC_TIME_ZONE_SQL})
                group by source) l on l.source = 'wework_' || cw.state`;

/** The list statement over the chosen figures. */
const listSql = (figures: string) => `
  with figures as (${figures})
  select cw.id, cw.config_id, cw.type, cw.scene, cw.style, cw.remark, cw.skip_verify, cw.state, cw.qr_code, cw.user_ids, cw.party_ids,
         cw.is_temp, cw.expires_in, cw.chat_expires_in, cw.unionid, cw.is_exclusive, cw.conclusions, cw.welcome_template,
         cw.created_at, cw.updated_at,
         coalesce(fg.added, 0) as added, coalesce(fg.lost, 0) as lost, coalesce(fg.leads, 0) as leads
    from wework_contact_ways cw
    left join figures fg on fg.state = cw.state`;
const LIST_SQL = listSql(FIGURES_ALL_TIME);

/** ORDER BY of a list sort (the id breaks ties, newest first, so equal figures keep a stable order). */
const LIST_ORDER: Record<ContactWayListQuery['sort'] & string, string> = {
  createdAt: 'cw.created_at', added: 'coalesce(fg.added, 0)', lost: 'coalesce(fg.lost, 0)',
  net: 'coalesce(fg.added, 0) - coalesce(fg.lost, 0)', leads: 'coalesce(fg.leads, 0)',
};

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

function toView(row: Row): ContactWayView {
  return {
    id: row.id, configId: row.config_id, type: row.type, scene: row.scene, style: row.style, remark: row.remark, skipVerify: row.skip_verify,
    state: row.state, users: row.user_ids, parties: row.party_ids, isTemp: row.is_temp, expiresIn: row.expires_in, chatExpiresIn: row.chat_expires_in,
    unionid: row.unionid, isExclusive: row.is_exclusive, conclusions: row.conclusions, welcomeText: row.welcome_template?.text ?? null,
    hasQrCode: Boolean(row.qr_code), createdAt: iso(row.created_at), updatedAt: iso(row.updated_at),
    figures: { added: Number(row.added), lost: Number(row.lost), leads: Number(row.leads), net: Number(row.added) - Number(row.lost) },
  };
}

/** The codes matching `q` (remark or state), with the figures of the range, sorted. */
async function listViews(em: EntityManager, query: z.output<typeof contactWayListQuerySchema>): Promise<ContactWayView[]> {
  const params: unknown[] = query.from && query.to ? [query.from, query.to, query.from, query.to] : [];
  let where = '';
  if (query.q) {
    const pattern = containsPattern(query.q);
    where = 'where cw.remark ilike ? or cw.state ilike ?';
    params.push(pattern, pattern);
  }
  const direction = query.order === 'asc' ? 'asc' : 'desc';
  const rows = await em.getConnection().execute<Row[]>(
    `${listSql(query.from ? FIGURES_IN_RANGE : FIGURES_ALL_TIME)} ${where} order by ${LIST_ORDER[query.sort]} ${direction}, cw.id desc`, params);
  return rows.map(toView);
}

async function viewOf(em: EntityManager, id: number): Promise<ContactWayView> {
  const rows = await em.getConnection().execute<Row[]>(`${LIST_SQL} where cw.id = ?`, [id]);
  if (!rows[0]) throw new AppError(404, 'contact_way_not_found', `No channel code with id ${id}.`);
  return toView(rows[0]);
}

async function findOr404(em: EntityManager, id: number): Promise<IWeworkContactWay> {
  const row = await em.findOne(WeworkContactWay, { id });
  if (!row) throw new AppError(404, 'contact_way_not_found', `No channel code with id ${id}.`);
  return row;
}

/** A state labels one channel: two codes with the same state could not be told apart in callbacks. */
async function assertStateFree(em: EntityManager, state: string | undefined, exceptId?: number): Promise<void> {
  if (!state) return;
  const clash = await em.count(WeworkContactWay, { state, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (clash > 0) {
    throw new AppError(409, 'state_taken', `state: ${CONTACT_WAY_ERROR_TEXT.state_taken} ("${state}")`, { field: 'state' });
  }
}

/** Drops empty optional strings from the closing message: WeCom treats "" as a value. */
function cleanConclusions(conclusions: ContactWayParsed['conclusions']): Conclusions | undefined {
  if (!conclusions) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, part] of Object.entries(conclusions)) {
    if (!part) continue;
    const kept = Object.fromEntries(Object.entries(part as Record<string, string | undefined>).filter(([, v]) => v !== undefined && v !== ''));
    if (Object.keys(kept).length > 0) out[key] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The temp-only fields, with WeCom's defaults written out so the row says what WeCom will do. */
function tempFields(input: ContactWayParsed) {
  if (!input.isTemp) return { expiresIn: null, chatExpiresIn: null, unionid: null, conclusions: null };
  return {
    expiresIn: input.expiresIn ?? DEFAULT_EXPIRES_IN,
    chatExpiresIn: input.chatExpiresIn ?? DEFAULT_CHAT_EXPIRES_IN,
    unionid: input.unionid || null,
    conclusions: cleanConclusions(input.conclusions) ?? null,
  };
}

/** The fields update_contact_way accepts, from a validated input (user/party lists overwrite). */
function editableRequest(input: ContactWayParsed) {
  const temp = tempFields(input);
  return {
    ...(input.style ? { style: input.style } : {}),
    remark: input.remark ?? '',
    skip_verify: input.skipVerify,
    state: input.state ?? '',
    user: input.users,
    party: input.parties,
    is_exclusive: input.isExclusive,
    ...(input.isTemp
      ? {
        expires_in: temp.expiresIn!, chat_expires_in: temp.chatExpiresIn!,
        ...(temp.unionid ? { unionid: temp.unionid } : {}),
        ...(temp.conclusions ? { conclusions: temp.conclusions } : {}),
      }
      : {}),
  };
}

/** The row's columns for a validated input. */
function rowFields(input: ContactWayParsed) {
  return {
    type: input.type, scene: input.scene, style: input.style ?? null, remark: input.remark || null, skipVerify: input.skipVerify,
    state: input.state || null, userIds: input.users, partyIds: input.parties, isTemp: input.isTemp, isExclusive: input.isExclusive,
    ...tempFields(input),
    welcomeTemplate: input.welcomeText?.trim() ? { text: input.welcomeText } : null,
  };
}

/** A download name that says which channel the code is for; ASCII fallback plus the UTF-8 name (RFC 6266). */
function pngDisposition(row: IWeworkContactWay, download: boolean): string {
  const label = row.state || row.configId;
  const ascii = `contact-way-${label.replace(/[^A-Za-z0-9._-]/g, '_')}.png`;
  const utf8 = encodeURIComponent(`渠道活码-${label}.png`);
  return `${download ? 'attachment' : 'inline'}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** A code's QR image, fetched from WeCom's URL (502 `qr_code_unavailable` when that fails). */
async function qrBytes(deps: ContactWayDeps, row: IWeworkContactWay): Promise<Uint8Array> {
  // Only WeCom's image hosts (or the configured API base), no redirects, size-capped.
  return fetchQrImage(row.qrCode!, { apiBase: deps.wecomApiBase, ...(deps.fetchQr ? { fetch: deps.fetchQr } : {}) });
}

/**
 * Makes the code's channel tag (渠道/<remark or state>) in WeCom as the code is saved, so the first
 * customers do not race to create it. Best effort: when WeCom refuses, the code is saved all the
 * same and onboarding's own ensure-tag step (with its 40071 re-read) makes the tag later.
 */
async function ensureChannelTag(em: EntityManager, api: () => Promise<WeComAccess['api']>, row: IWeworkContactWay): Promise<ChannelTagOutcome | null> {
  if (!row.state) return null;
  const name = channelName(row);
  const tag = await findOrCreateTag(em, CHANNEL_TAG_GROUP, name);
  if (tag.wecomTagId) return { group: CHANNEL_TAG_GROUP, name, inWeCom: true };
  try {
    const found = await ensureCorpTag(await api(), { groupName: CHANNEL_TAG_GROUP, name });
    tag.wecomTagId = found.tagId;
    tag.wecomGroupId = found.groupId;
    await em.flush();
    return { group: CHANNEL_TAG_GROUP, name, inWeCom: true };
  } catch (error) {
    log.warn(`channel tag ${CHANNEL_TAG_GROUP}/${name} not made in WeCom (${(error as Error).name}); onboarding will make it`);
    return { group: CHANNEL_TAG_GROUP, name, inWeCom: false };
  }
}

function actorOf(c: Context<AuthEnv>) {
  const user = c.get('auth').user;
  return { id: user.id, username: user.username };
}

/**
 * `/api/contact-ways`: channel codes 「联系我」. Reading is for every role; creating, editing,
 * deleting, importing and simulating a scan for admins and marketers. Every change goes to WeCom
 * first (WeCom makes no callback for API changes), then to the row.
 */
export function contactWayRoutes(deps: ContactWayDeps) {
  const manage = requirePermission('contactWays.manage');
  const view = requirePermission('contactWays.view');
  const api = async () => (await deps.wecom()).api;

  return new Hono<AuthEnv>()
    .get('/', view, async (c) => {
      const query = readQuery(c, contactWayListQuerySchema);
      const [items, simulateScanAvailable] = await Promise.all([listViews(deps.em(), query), deps.simulator.available()]);
      return c.json({ items, simulateScanAvailable }, 200);
    })
    .get('/members', manage, async (c) => {
      const userids = await callWeCom(async () => (await api()).customer.followUserList());
      const staff = userids.length > 0 ? await deps.em().find(WeworkStaff, { userid: { $in: userids } }) : [];
      const names = new Map(staff.map((s) => [s.userid, s.name ?? null]));
      return c.json({ members: userids.map((userid) => ({ userid, name: names.get(userid) ?? null })) }, 200);
    })
    .get('/import', view, async (c) => c.json(await importStatus(deps), 200))
    .post('/import', manage, async (c) => {
      // The import is the sync workflow reading channel codes only: it survives this request, a
      // crash or a WeCom rate limit, and reports its progress like the customer sync.
      const input: SyncInput = { version: 1, trigger: 'import', scope: 'contact_ways' };
      const handle = await deps.temporal.client.workflow.start<typeof customerSyncWorkflow>('customerSyncWorkflow', {
        taskQueue: deps.temporal.taskQueueFor('customerSyncWorkflow'),
        workflowId: workflowIds.contactWayImport(),
        args: [input],
        // Two clicks (or two marketers) at once share one import.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        staticSummary: '渠道活码导入 channel-code import',
      });
      const started = handle.firstExecutionRunId;
      await recordAudit(deps.em(), {
        actor: actorOf(c), action: 'contact_way.import', target: { type: 'workflow', id: workflowIds.contactWayImport() }, details: { runId: started }, ip: clientInfo(c).ip,
      });
      return c.json(await importStatus(deps), 202);
    })
    .get('/qr.zip', view, async (c) => {
      // Batch download: the chosen codes' QR images in one zip, named after their channel.
      const ids = [...new Set((c.req.query('ids') ?? '').split(',').map(Number).filter((id) => Number.isSafeInteger(id) && id > 0))].slice(0, 100);
      if (ids.length === 0) throw new AppError(400, 'invalid_request', 'ids must list 1 to 100 channel code ids.');
      const rows = await deps.em().find(WeworkContactWay, { id: { $in: ids } }, { orderBy: { id: 'asc' } });
      const files: Record<string, Uint8Array> = {};
      for (const row of rows) {
        if (!row.qrCode || !/^https?:\/\//.test(row.qrCode)) continue;
        files[`渠道活码-${(row.state || row.configId).replace(/[\\/:*?"<>|]/g, '_')}-${row.id}.png`] = await qrBytes(deps, row);
      }
      if (Object.keys(files).length === 0) throw new AppError(404, 'qr_code_missing', 'None of these codes has a QR image.');
      return c.body(new Uint8Array(zipSync(files, { level: 0 })), 200, {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="contact-way-qr-codes.zip"; filename*=UTF-8''${encodeURIComponent('渠道活码二维码.zip')}`,
        'cache-control': 'no-store',
      });
    })
    .get('/:id', view, async (c) => {
      return c.json({ contactWay: await viewOf(deps.em(), readIdParam(c)) }, 200);
    })
    .get('/:id/qr.png', view, async (c) => {
      const row = await findOr404(deps.em(), readIdParam(c));
      if (!row.qrCode || !/^https?:\/\//.test(row.qrCode)) {
        throw new AppError(404, 'qr_code_missing', 'This code has no QR image (mini-program codes have none).');
      }
      return c.body(new Uint8Array(await qrBytes(deps, row)), 200, {
        'content-type': 'image/png',
        'content-disposition': pngDisposition(row, c.req.query('download') === '1'),
        'cache-control': 'private, max-age=300',
        'x-content-type-options': 'nosniff',
      });
    })
    .post('/', manage, async (c) => {
      const input = await readCodedJson(c, contactWayInputSchema, CONTACT_WAY_ERROR_TEXT);
      const em = deps.em();
      await assertStateFree(em, input.state);
      const wecom = await callWeCom(api);
      const request: AddContactWayRequest = { type: input.type, scene: input.scene, ...(input.isTemp ? { is_temp: true } : {}), ...editableRequest(input) };
      if (request.user?.length === 0) delete request.user;
      if (request.party?.length === 0) delete request.party;
      const created = await callWeCom(() => wecom.contactWay.add(request));
      let row: IWeworkContactWay;
      try {
        row = em.create(WeworkContactWay, { configId: created.config_id, qrCode: created.qr_code ?? null, ...rowFields(input) });
        await em.flush();
      } catch (error) {
        // Without its row the code could never be edited or deleted (WeCom hides API-made codes): undo it.
        await wecom.contactWay.delete(created.config_id).catch(() => undefined);
        throw error;
      }
      await recordAudit(deps.em(), {
        actor: actorOf(c), action: 'contact_way.create', target: { type: 'contact_way', id: row.id },
        details: { configId: row.configId, state: row.state ?? null, remark: row.remark ?? null, type: row.type, isTemp: row.isTemp }, ip: clientInfo(c).ip,
      });
      const channelTag = await ensureChannelTag(deps.em(), api, row);
      return c.json({ contactWay: await viewOf(deps.em(), row.id), channelTag }, 201);
    })
    .put('/:id', manage, async (c) => {
      const id = readIdParam(c);
      const input = await readCodedJson(c, contactWayInputSchema, CONTACT_WAY_ERROR_TEXT);
      const em = deps.em();
      const row = await findOr404(em, id);
      // WeCom's update_contact_way cannot change these: a different kind of code is a new code.
      for (const [field, before, after] of [['type', row.type, input.type], ['scene', row.scene, input.scene], ['isTemp', row.isTemp, input.isTemp]] as const) {
        if (before !== after) {
          throw new AppError(400, 'immutable_field', `${field}: WeCom cannot change a code's ${field}; create a new code instead`, { field });
        }
      }
      await assertStateFree(em, input.state, id);
      const next = rowFields(input);
      const weComChanged = JSON.stringify(editableRequest(input)) !== JSON.stringify(editableRequest({
        ...input, style: row.style ?? null, remark: row.remark ?? undefined, skipVerify: row.skipVerify, state: row.state ?? undefined,
        users: row.userIds, parties: row.partyIds, isExclusive: row.isExclusive, expiresIn: row.expiresIn ?? null, chatExpiresIn: row.chatExpiresIn ?? null,
        unionid: row.unionid ?? undefined, conclusions: (row.conclusions as ContactWayParsed['conclusions']) ?? null,
      }));
      // Only the welcome template changed: that is the clinic's own, WeCom need not be asked.
      if (weComChanged) {
        const wecom = await callWeCom(api);
        await callWeCom(() => wecom.contactWay.update({ config_id: row.configId, ...editableRequest(input) }));
      }
      em.assign(row, next);
      await em.flush();
      await recordAudit(deps.em(), {
        actor: actorOf(c), action: 'contact_way.update', target: { type: 'contact_way', id },
        details: { configId: row.configId, state: row.state ?? null, remark: row.remark ?? null, wecomUpdated: weComChanged }, ip: clientInfo(c).ip,
      });
      const channelTag = await ensureChannelTag(deps.em(), api, row);
      return c.json({ contactWay: await viewOf(deps.em(), id), channelTag }, 200);
    })
    .delete('/:id', manage, async (c) => {
      const id = readIdParam(c);
      const em = deps.em();
      const row = await findOr404(em, id);
      const wecom = await callWeCom(api);
      await callWeCom(() => wecom.contactWay.delete(row.configId));
      const details = { configId: row.configId, state: row.state ?? null, remark: row.remark ?? null };
      await em.remove(row).flush();
      await recordAudit(deps.em(), { actor: actorOf(c), action: 'contact_way.delete', target: { type: 'contact_way', id }, details, ip: clientInfo(c).ip });
      return c.json({ ok: true as const }, 200);
    })
    .post('/:id/simulate-scan', manage, async (c) => {
      const id = readIdParam(c);
      const { customerName } = await readJson(c, simulateScanRequestSchema);
      const row = await findOr404(deps.em(), id);
      const result = await deps.simulator.scan({ configId: row.configId, ...(customerName ? { customerName } : {}) });
      await recordAudit(deps.em(), {
        actor: actorOf(c), action: 'contact_way.simulate_scan', target: { type: 'contact_way', id },
        details: { configId: row.configId, externalUserId: result.externalUserId, userId: result.userId }, ip: clientInfo(c).ip,
      });
      return c.json(result, 200);
    });
}
