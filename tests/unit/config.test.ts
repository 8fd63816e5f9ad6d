import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, decodeSecretKey, loadConfig, requireForServices, secureCookies } from '../../config.ts';

describe('loadConfig', () => {
  it('gives SPEC §3 defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'clinic-main', WECOM_API_BASE: 'https://qyapi.weixin.qq.com', DATA_DIR: '.data',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('polls both task queues unless told one (a worker per workload in production)', () => {
    expect(loadConfig({}).WORKER_TASK_QUEUES).toEqual(['realtime', 'bulk']);
    expect(loadConfig({ WORKER_TASK_QUEUES: 'bulk' }).WORKER_TASK_QUEUES).toEqual(['bulk']);
    expect(loadConfig({ WORKER_TASK_QUEUES: ' bulk , realtime ' }).WORKER_TASK_QUEUES).toEqual(['realtime', 'bulk']);
  });

  it('runs the worker below the API\'s CPU priority unless told otherwise', () => {
    expect(loadConfig({}).WORKER_NICE).toBe(10);
    expect(loadConfig({ WORKER_NICE: '0' }).WORKER_NICE).toBe(0);
  });

  it('treats an empty value as unset, as shells and compose files produce them', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ PORT: 3000, DATABASE_URL: undefined });
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '3.5' }, 'PORT'],
    [{ DATABASE_URL: 'postgres://' }, 'DATABASE_URL'],
    [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS'],
    [{ WECOM_API_BASE: 'ftp://example.com' }, 'WECOM_API_BASE'],
    [{ WECOM_AGENT_ID: 'agent' }, 'WECOM_AGENT_ID'],
    [{ WECOM_ENCODING_AES_KEY: 'too-short' }, 'WECOM_ENCODING_AES_KEY'],
    [{ APP_SECRET_KEY: 'abc' }, 'APP_SECRET_KEY'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ WORKER_TASK_QUEUES: 'realtime,fast' }, 'WORKER_TASK_QUEUES'],
    [{ TEMPORAL_TASK_QUEUE: 'clinic-bulk' }, 'TEMPORAL_TASK_QUEUE'],
    [{ WORKER_BULK_ACTIVITIES_PER_SECOND: '0' }, 'WORKER_BULK_ACTIVITIES_PER_SECOND'],
    [{ WORKER_NICE: '20' }, 'WORKER_NICE'],
    [{ WORKER_NICE: '-5' }, 'WORKER_NICE'],
  ])('rejects %o with one line naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(new RegExp(`^Invalid environment: ${variable}\\b`));
    }
  });

  it('never repeats a secret value in its error', () => {
    expect(() => loadConfig({ WECOM_ENCODING_AES_KEY: 'leakyLeakyValue' })).toThrow(/^(?!.*leakyLeakyValue)/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:pw-123@h/db' })).toThrow(/^(?!.*pw-123)/);
  });
});

describe('APP_SECRET_KEY', () => {
  it('accepts 32 bytes as hex or base64 and nothing else', () => {
    const key = randomBytes(32);
    expect(decodeSecretKey(key.toString('hex'))).toEqual(key);
    expect(decodeSecretKey(key.toString('base64'))).toEqual(key);
    expect(decodeSecretKey(randomBytes(16).toString('hex'))).toBeNull();
    expect(decodeSecretKey(randomBytes(24).toString('base64'))).toBeNull();
  });
});

describe('requireForServices', () => {
  const complete = { DATABASE_URL: 'postgres://u:p@h:5432/d', TEMPORAL_ADDRESS: 'h:7233', APP_SECRET_KEY: 'a'.repeat(64) };
  it.each(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'APP_SECRET_KEY'])('names %s when a production process lacks it', (missing) => {
    const env: Record<string, string> = { ...complete };
    delete env[missing];
    expect(() => requireForServices(loadConfig(env), 'api')).toThrow(new RegExp(`^Invalid environment: ${missing} is not set`));
  });
  it('passes with all three', () => {
    expect(() => requireForServices(loadConfig(complete), 'worker')).not.toThrow();
  });
});

describe('privacy settings', () => {
  it('sends Secure cookies in production, or wherever COOKIE_SECURE says so', () => {
    expect(secureCookies(loadConfig({}))).toBe(false);
    expect(secureCookies(loadConfig({ NODE_ENV: 'production' }))).toBe(true);
    expect(secureCookies(loadConfig({ COOKIE_SECURE: 'true' }))).toBe(true);
    expect(secureCookies(loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' }))).toBe(false);
    expect(() => loadConfig({ COOKIE_SECURE: 'yes' })).toThrow(/COOKIE_SECURE/);
  });

  it('reads TRUSTED_PROXIES and ALLOWED_ORIGINS as lists and rejects what is not an address or origin', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, loopback,::1' }).TRUSTED_PROXIES).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    expect(loadConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'everyone' })).toThrow(/TRUSTED_PROXIES/);
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://crm.example.com' }).ALLOWED_ORIGINS).toEqual(['https://crm.example.com']);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://crm.example.com/path' })).toThrow(/ALLOWED_ORIGINS/);
  });
});
