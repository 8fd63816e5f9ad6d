import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sim: state file', () => {
  it('keeps contact ways, tags and relationships across a restart', async () => {
    const stateFile = join(dir, 'sim-state.json');
    const first = await startHarness({ stateFile, customers: 20 });
    const { config_id } = await first.api('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['wangwu'], state: 'moments' });
    const scan = await first.control('POST', '/sim/customers/scan', { config_id, name: '周雪' });
    await first.sim.close();
    expect(existsSync(stateFile)).toBe(true);

    const second = await startHarness({ stateFile, customers: 0 });
    expect((await second.api('externalcontact/get_contact_way', { config_id })).contact_way.state).toBe('moments');
    const got = await second.api('externalcontact/get', undefined, { external_userid: scan.json.customer.external_userid });
    expect(got).toMatchObject({ errcode: 0, external_contact: { name: '周雪' }, follow_user: [{ userid: 'wangwu', state: 'moments' }] });
    expect((await second.control('GET', '/sim/customers?limit=1')).json.total).toBe(21);
    await second.sim.close();
  });
});
