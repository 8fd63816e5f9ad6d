import { describe, expect, it } from 'vitest';
import { healthReportSchema } from '../../common/health.schema.ts';

describe('health report schema', () => {
  it('rejects a report that omits the worker poller count', () => {
    const report = {
      ok: true, version: '0', checkedAt: new Date().toISOString(), temporalUiUrl: null,
      components: {
        database: { ok: true, status: 'up' }, temporal: { ok: true, status: 'up' },
        worker: { ok: true, status: 'up' },
        wecom: { ok: false, status: 'not-configured', configured: false, corpId: null },
      },
    };
    expect(healthReportSchema.safeParse(report).success).toBe(false);
    expect(healthReportSchema.safeParse({ ...report, components: { ...report.components, worker: { ok: true, status: 'up', pollers: 1 } } }).success).toBe(true);
  });
});
