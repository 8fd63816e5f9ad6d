import { redactText, redactValue } from './redact.ts';

/**
 * The product's one logger, used by every process (api, worker, sim, scripts). A small module
 * rather than pino: what leaks here are credentials *inside strings* (ky's error messages carry
 * the request URL), which pino's path-based `redact` cannot see; and every process already writes
 * plain lines that the dev supervisor prefixes. Every line passes through logging/redact.ts.
 */

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Where finished lines go; tests capture them. */
export type LogSink = (level: LogLevel, line: string) => void;

const consoleSink: LogSink = (level, line) => {
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

let threshold: LogLevel = 'info';
let sinks: LogSink[] = [consoleSink];

/** Sets the lowest level written by every logger of this process (LOG_LEVEL). */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Adds a sink beside the console (tests use it to read what a process logged); returns its removal. */
export function addLogSink(sink: LogSink): () => void {
  sinks = [...sinks, sink];
  return () => { sinks = sinks.filter((s) => s !== sink); };
}

/** A logger bound to a scope such as `api` or `worker`. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
  /**
   * A start-up or shutdown announcement ("listening on …", "worker polling …"), written at info
   * whatever LOG_LEVEL says: supervisors, tests and operators wait for these lines.
   */
  notice(message: string, ...details: unknown[]): void;
  /** Writes at `level`, e.g. for adapters of other libraries' loggers. */
  write(level: LogLevel, message: string, ...details: unknown[]): void;
}

/** Renders one detail: strings as they are, anything else as redacted JSON. */
function render(detail: unknown): string {
  if (typeof detail === 'string') return redactText(detail);
  try {
    return JSON.stringify(redactValue(detail));
  } catch {
    return '[unserialisable]';
  }
}

/** A logger whose lines read `[scope] message {details}`, redacted. */
export function createLogger(scope: string): Logger {
  const emit = (level: LogLevel, message: string, details: unknown[]) => {
    const parts = [`[${scope}]`, redactText(message), ...details.filter((d) => d !== undefined).map(render)];
    const line = parts.join(' ');
    for (const sink of sinks) sink(level, line);
  };
  const write = (level: LogLevel, message: string, ...details: unknown[]) => {
    if (ORDER[level] >= ORDER[threshold]) emit(level, message, details);
  };
  return {
    write,
    debug: (message, ...details) => write('debug', message, ...details),
    info: (message, ...details) => write('info', message, ...details),
    warn: (message, ...details) => write('warn', message, ...details),
    error: (message, ...details) => write('error', message, ...details),
    notice: (message, ...details) => emit('info', message, details),
  };
}
