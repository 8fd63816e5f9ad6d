import { randomBytes } from 'node:crypto';
import { expect, inject, it, vi } from 'vitest';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes.ts';
import { ensureSearchAttributes } from '../../api/temporal/search-attributes.ts';
import { contactAttributes } from '../../api/temporal/event-router.ts';
import { createTemporalGateway } from '../../api/temporal/temporal-gateway.ts';

it('registers the missing search attributes on a namespace, once', async () => {
  const namespace = `sa-${randomBytes(3).toString('hex')}`;
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    expect((await ensureSearchAttributes(inject('temporalAddress'), namespace)).sort()).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) expect(listed.customAttributes).toHaveProperty(name);
    expect(await ensureSearchAttributes(inject('temporalAddress'), namespace)).toEqual([]);
  } finally {
    await connection.close();
  }
});

it('starts an event workflow on a namespace that lacks them: a start never fails because of its search attributes', async () => {
  const namespace = `sa-${randomBytes(3).toString('hex')}`;
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const gateway = createTemporalGateway({ address: inject('temporalAddress'), namespace, taskQueue: 'nobody-polls', payloadKeys: { current: randomBytes(32) } });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    expect(listed.customAttributes).not.toHaveProperty('CustomerExternalId');
    const workflowId = `wecom:test:${randomBytes(3).toString('hex')}`;
    const start = {
      workflowType: 'onboardCustomerWorkflow', workflowId, summary: 'test',
      input: { version: 1 as const, kind: 'add_external_contact' as const, dedupeKey: workflowId, userId: 'zhangsan', externalUserId: 'wm1', createTime: 1 },
      searchAttributes: contactAttributes('zhangsan', 'wm1', 'xhs'),
    };
    // The namespace may need a moment before it takes starts; the refusal must never be the attributes'.
    await vi.waitFor(async () => expect(await gateway.startEventWorkflow(start)).toBe('started'), { timeout: 15_000, interval: 500 });
    expect((await gateway.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    await gateway.client.workflow.getHandle(workflowId).terminate('test over');
  } finally {
    await gateway.close();
    await connection.close();
  }
});
