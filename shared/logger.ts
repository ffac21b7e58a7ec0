import pino, { Logger } from 'pino';

export type { Logger };

/** Structured JSON logs, one logger per service, named after it. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, base: { service } });
}
