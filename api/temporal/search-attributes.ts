import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes.ts';
import type { TemporalConnectionSecurity } from './connection-security.ts';

const { IndexedValueType } = proto.temporal.api.enums.v1;
const typeOf = { Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } as const;

/**
 * Registers the product's custom search attributes on a Temporal cluster, adding only the missing
 * ones (the dev server gets them from its start flags). Returns the names it added.
 */
export async function ensureSearchAttributes(address: string, namespace: string, security: TemporalConnectionSecurity = {}): Promise<string[]> {
  const connection = await Connection.connect({ address, connectTimeout: 5_000, ...security });
  try {
    return await connection.withDeadline(Date.now() + 15_000, async () => {
      const existing = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(name in (existing.customAttributes ?? {})));
      if (missing.length === 0) return [];
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, typeOf[type]])),
      });
      return missing.map(([name]) => name);
    });
  } finally {
    await connection.close();
  }
}
