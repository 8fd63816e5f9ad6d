import { describe, expect, it } from 'vitest';
import { temporalConnectionSecurity } from '../../api/temporal/connection-security.ts';
import { ConfigError, loadConfig } from '../../config.ts';

const files: Record<string, string> = { '/certs/client.pem': 'CERT', '/certs/client.key': 'KEY', '/certs/ca.pem': 'CA' };
const read = (path: string) => {
  if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return Buffer.from(files[path]!);
};

describe('Temporal connection security', () => {
  it('is plain gRPC when nothing is set (the dev server)', () => {
    expect(temporalConnectionSecurity(loadConfig({}), read)).toEqual({});
  });

  it('uses mTLS with the cluster CA from PEM files, and TLS with an API key', () => {
    const mtls = temporalConnectionSecurity(loadConfig({ TEMPORAL_TLS_CERT: '/certs/client.pem', TEMPORAL_TLS_KEY: '/certs/client.key', TEMPORAL_TLS_CA: '/certs/ca.pem' }), read);
    expect(mtls.tls).toEqual({ serverRootCACertificate: Buffer.from('CA'), clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
    expect(temporalConnectionSecurity(loadConfig({ TEMPORAL_API_KEY: 'cloud-key' }), read)).toEqual({ tls: true, apiKey: 'cloud-key' });
    expect(temporalConnectionSecurity(loadConfig({ TEMPORAL_TLS: 'true' }), read)).toEqual({ tls: true });
  });

  it('says which variable is wrong, without the API key', () => {
    expect(() => temporalConnectionSecurity(loadConfig({ TEMPORAL_TLS_CERT: '/certs/client.pem' }), read)).toThrow(/TEMPORAL_TLS_KEY/);
    expect(() => temporalConnectionSecurity(loadConfig({ TEMPORAL_TLS_CA: '/certs/nope.pem' }), read)).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_TLS: 'maybe', TEMPORAL_API_KEY: 'cloud-key' })).toThrow(/^(?!.*cloud-key)/);
  });
});
