import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createEmptyState } from './state.ts';
import type { ContactWay, CorpTag, CorpTagGroup, Customer, Follow, GroupMsg, SimState, Staff, WelcomeCode } from './state.ts';

const VERSION = 1;

/** State as plain JSON (Maps become entry arrays; each relationship is stored once). */
export function stateToJson(s: SimState): string {
  const follows: Follow[] = [];
  for (const list of s.followsByStaff.values()) for (const f of list) if (!f.deleted) follows.push(f);
  return JSON.stringify({
    version: VERSION,
    departments: s.departments,
    staff: [...s.staff.values()],
    customers: [...s.customers.values()],
    follows: follows.sort((a, b) => a.seq - b.seq),
    tagGroups: [...s.tagGroups.values()],
    tags: [...s.tags.values()],
    contactWays: [...s.contactWays.values()],
    welcomeCodes: [...s.welcomeCodes.values()],
    messages: s.messages,
    groupMsgs: [...s.groupMsgs.values()],
    monthlyReceived: [...s.monthlyReceived],
    media: [...s.media],
    deliveries: s.deliveries,
    nextSeq: s.nextSeq,
    nextTagNumber: s.nextTagNumber,
  });
}

/** Rebuilds state (and its indexes) from stateToJson output. */
export function stateFromJson(text: string): SimState {
  const j = JSON.parse(text) as Record<string, unknown> & { version: number };
  if (j.version !== VERSION) throw new Error(`unsupported sim state version ${j.version}`);
  const s = createEmptyState();
  const arr = <T>(k: string) => (j[k] ?? []) as T[];
  s.departments = arr('departments');
  for (const x of arr<Staff>('staff')) s.staff.set(x.userid, x);
  for (const x of arr<Customer>('customers')) s.customers.set(x.external_userid, x);
  for (const f of arr<Follow>('follows')) {
    let byUser = s.followsByCustomer.get(f.external_userid);
    if (!byUser) s.followsByCustomer.set(f.external_userid, (byUser = new Map()));
    byUser.set(f.userid, f);
    let list = s.followsByStaff.get(f.userid);
    if (!list) s.followsByStaff.set(f.userid, (list = []));
    list.push(f);
  }
  for (const x of arr<CorpTagGroup>('tagGroups')) s.tagGroups.set(x.group_id, x);
  for (const x of arr<CorpTag>('tags')) s.tags.set(x.id, x);
  for (const x of arr<ContactWay>('contactWays')) s.contactWays.set(x.config_id, x);
  for (const x of arr<WelcomeCode>('welcomeCodes')) s.welcomeCodes.set(x.code, x);
  s.messages = arr('messages');
  for (const x of arr<GroupMsg>('groupMsgs')) s.groupMsgs.set(x.msgid, x);
  s.monthlyReceived = new Map(arr<[string, number]>('monthlyReceived'));
  s.media = new Map(arr<[string, number]>('media'));
  s.deliveries = arr('deliveries');
  s.nextSeq = (j.nextSeq as number) ?? s.nextSeq;
  s.nextTagNumber = (j.nextTagNumber as number) ?? s.nextTagNumber;
  return s;
}

/** Loads state from `file`, or undefined when the file does not exist. */
export function loadStateFile(file: string): SimState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return stateFromJson(text);
}

/** Writes state to `file` atomically (temp file + rename), so a crash never leaves half a file. */
export function saveStateFile(file: string, s: SimState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, stateToJson(s));
  renameSync(tmp, file);
}
