import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { TEST_NAMESPACES } from './test-namespaces.ts';

let claimed: string | null = null;

/**
 * This test file's own Temporal namespace on the shared dev server (claimed once per file with an
 * exclusive create), so ids built from database serials never meet another file's workflows.
 */
export function testNamespace(): string {
  if (claimed) return claimed;
  const dir = inject('namespaceClaimDir');
  for (const namespace of TEST_NAMESPACES) {
    try {
      closeSync(openSync(path.join(dir, namespace), 'wx'));
      claimed = namespace;
      return namespace;
    } catch {
      // Taken by another file.
    }
  }
  throw new Error(`all ${TEST_NAMESPACES.length} test namespaces are taken; raise TEST_NAMESPACES in tests/setup/test-namespaces.ts`);
}
