import { AppError } from '../errors.ts';

/**
 * "Simulate a scan" for development: asks the WeCom simulator (when WECOM_API_BASE is one) to play
 * a customer scanning a code, so the real flow runs (encrypted callback → API → onboarding workflow).
 * Nothing here talks to real WeCom: the link is available only after the simulator answered
 * `GET /sim/health`.
 */
export interface SimulatorLink {
  /** True when WECOM_API_BASE is the simulator (probed once; a miss is re-probed after 30 s). */
  available(): Promise<boolean>;
  /** The simulated customer scans the code with this config_id. */
  scan(input: { configId: string; customerName?: string }): Promise<{ externalUserId: string; userId: string; customerName: string }>;
}

const REAL_WECOM_HOSTS = new Set(['qyapi.weixin.qq.com']);
const NEGATIVE_TTL_MS = 30_000;

/** Builds the link for one WECOM_API_BASE. */
export function createSimulatorLink(apiBase: string, options: { fetch?: typeof fetch } = {}): SimulatorLink {
  const doFetch = options.fetch ?? fetch;
  const base = apiBase.replace(/\/$/, '');
  let known: boolean | null = null;
  let checkedAt = 0;
  let probing: Promise<boolean> | null = null;

  const probe = async (): Promise<boolean> => {
    try {
      const response = await doFetch(`${base}/sim/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json().catch(() => null)) as { ok?: unknown } | null;
      return response.ok && body?.ok === true;
    } catch {
      return false;
    }
  };

  return {
    async available() {
      if (REAL_WECOM_HOSTS.has(new URL(base).hostname)) return false;
      if (known === true || (known === false && Date.now() - checkedAt < NEGATIVE_TTL_MS)) return known;
      probing ??= probe().then((ok) => {
        known = ok;
        checkedAt = Date.now();
        return ok;
      }).finally(() => { probing = null; });
      return probing;
    },
    async scan(input) {
      if (!(await this.available())) {
        throw new AppError(404, 'simulator_unavailable', 'Simulating a scan needs WECOM_API_BASE to point at the WeCom simulator (npm run dev does).');
      }
      const response = await doFetch(`${base}/sim/customers/scan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ config_id: input.configId, ...(input.customerName ? { name: input.customerName } : {}) }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json().catch(() => null)) as
        | { customer?: { external_userid?: string; name?: string }; follow?: { userid?: string }; error?: string }
        | null;
      if (!response.ok || !body?.customer?.external_userid) {
        throw new AppError(502, 'simulator_failed', `The simulator refused the scan: ${body?.error ?? `HTTP ${response.status}`}`);
      }
      return { externalUserId: body.customer.external_userid, userId: body.follow?.userid ?? '', customerName: body.customer.name ?? '' };
    },
  };
}
