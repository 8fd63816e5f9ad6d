import { randomBytes } from 'node:crypto';
import { expect, inject, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes.ts';
import { ensureSearchAttributes } from '../../api/temporal/search-attributes.ts';

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
