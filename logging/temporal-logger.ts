import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { Logger as TemporalLogger } from '@temporalio/common';
import type { LogLevel } from './logger.ts';
import { createLogger } from './logger.ts';

/** Temporal's level names for the product's. */
const TEMPORAL_LEVEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/** The product's level for one of Temporal's (TRACE counts as debug). */
function productLevel(level: LogEntry['level']): LogLevel {
  if (level === 'ERROR') return 'error';
  if (level === 'WARN') return 'warn';
  if (level === 'INFO') return 'info';
  return 'debug';
}

/**
 * The worker's Temporal Runtime logger (SDK, workflow and activity logs, and the native core's
 * logs when forwarded), written through the product's redacting logger: the SDK logs a failed
 * activity with its error, and that error must not carry a WeCom URL or a customer's data out.
 */
export function redactingTemporalLogger(level: LogLevel): TemporalLogger {
  const logger = createLogger('worker');
  return new DefaultLogger(TEMPORAL_LEVEL[level], (entry) => {
    logger.write(productLevel(entry.level), entry.message, entry.meta && Object.keys(entry.meta).length > 0 ? entry.meta : undefined);
  });
}
