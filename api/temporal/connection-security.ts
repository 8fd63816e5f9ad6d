import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError, type AppConfig } from '../../config.ts';

/** TLS and API-key options shared by the API's client connection and the worker's native connection. */
export interface TemporalConnectionSecurity {
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/** The TEMPORAL_TLS* and TEMPORAL_API_KEY settings. */
export type TemporalSecurityConfig = Pick<AppConfig, 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_API_KEY'>;

function readPem(variable: string, file: string, read: (path: string) => Buffer): Buffer {
  try {
    return read(file);
  } catch (error) {
    throw new ConfigError(`Invalid environment: ${variable} names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${file})`);
  }
}

/**
 * How to reach a Temporal cluster that is not on a private network: TLS (with the cluster's CA,
 * a client certificate for mTLS) and/or an API key (Temporal Cloud). A certificate or an API key
 * implies TLS unless TEMPORAL_TLS=false says otherwise; nothing set means plain gRPC (dev server).
 */
export function temporalConnectionSecurity(config: TemporalSecurityConfig, read: (path: string) => Buffer = readFileSync): TemporalConnectionSecurity {
  const { TEMPORAL_TLS, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_API_KEY } = config;
  if ((TEMPORAL_TLS_CERT === undefined) !== (TEMPORAL_TLS_KEY === undefined)) {
    throw new ConfigError('Invalid environment: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate and its private key, PEM files)');
  }
  const enabled = TEMPORAL_TLS ?? (TEMPORAL_TLS_CERT !== undefined || TEMPORAL_TLS_CA !== undefined || TEMPORAL_API_KEY !== undefined);
  const security: TemporalConnectionSecurity = {};
  if (enabled) {
    const tls: TLSConfig = {};
    if (TEMPORAL_TLS_CA) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA', TEMPORAL_TLS_CA, read);
    if (TEMPORAL_TLS_CERT && TEMPORAL_TLS_KEY) {
      tls.clientCertPair = { crt: readPem('TEMPORAL_TLS_CERT', TEMPORAL_TLS_CERT, read), key: readPem('TEMPORAL_TLS_KEY', TEMPORAL_TLS_KEY, read) };
    }
    security.tls = Object.keys(tls).length > 0 ? tls : true;
  }
  if (TEMPORAL_API_KEY) security.apiKey = TEMPORAL_API_KEY;
  return security;
}
