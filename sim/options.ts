/** Everything a caller may configure on a simulator, with demo defaults. */
export type SimOptions = {
  corpId: string;
  corpSecret: string;
  agentId: string;
  /** Callback Token used to sign callbacks. */
  token: string;
  /** 43-char EncodingAESKey used to encrypt callbacks. */
  encodingAesKey: string;
  /** Seconds an access_token lives. */
  tokenTtlSeconds: number;
  /** Seconds a welcome_code stays usable. */
  welcomeCodeTtlSeconds: number;
  /** Where callbacks are POSTed (the product's /api/wework/callback); none → events are only recorded. */
  callbackUrl: string | undefined;
  /** Base URL the simulator is reachable at (QR links); derived from the request when absent. */
  publicUrl: string | undefined;
  /** Milliseconds to wait for the callback receiver before counting an attempt as failed. */
  callbackTimeoutMs: number;
  /** Attempts in all for one callback (WeCom: 3). */
  callbackAttempts: number;
  /** Pause between callback attempts. */
  callbackRetryDelayMs: number;
  /** Milliseconds before the simulated staff member confirms a group-message task; null = never on their own. */
  groupMsgConfirmDelayMs: number | null;
  /** Seeded customers (deterministic). */
  customers: number;
  /** Seed of the deterministic generator. */
  seed: number;
  /** Clock in epoch milliseconds (inject a fake one in tests). */
  now: () => number;
  /** Optional JSON file the state is loaded from and saved to. */
  stateFile: string | undefined;
};

/** Demo defaults: a fixed corp whose credentials the product's .env.example can repeat. */
export const DEMO_OPTIONS: SimOptions = {
  corpId: 'ww_sim_corp',
  corpSecret: 'sim_secret_0123456789abcdefghijklmnopqrstuv',
  agentId: '1000002',
  token: 'simToken123',
  // 43 chars of base64 alphabet; decodes (with '=') to 32 bytes.
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  tokenTtlSeconds: 7200,
  welcomeCodeTtlSeconds: 20,
  callbackUrl: undefined,
  publicUrl: undefined,
  callbackTimeoutMs: 5000,
  callbackAttempts: 3,
  callbackRetryDelayMs: 1000,
  groupMsgConfirmDelayMs: 3000,
  customers: 30,
  seed: 20240601,
  now: () => Date.now(),
  stateFile: undefined,
};

/** Merges partial options over the demo defaults (undefined values keep the default). */
export function resolveOptions(partial: Partial<SimOptions> = {}): SimOptions {
  const out: SimOptions = { ...DEMO_OPTIONS };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
