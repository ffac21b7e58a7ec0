import pino, { DestinationStream, Logger } from 'pino';
import type { LogFormat } from './config';
import { currentRequestScope } from './request-id';

export type { Logger };

/**
 * Structured JSON logs, one logger per service, named after it. `destination` defaults to
 * stdout; tests pass a stream to read the lines back. With `format` 'pretty' (LOG_FORMAT, by
 * default when stdout is a terminal) the same records are written human-readable through
 * pino-pretty, loaded only then, synchronously (no worker thread); production output stays JSON.
 *
 * Every line written while a request is served carries its `requestId`: requests log through a
 * child logger bound to it (see request-id.ts), and a line written through any other logger of
 * the service during the request (Apollo's, the gateway's data sources) gets it from the
 * request's async context.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin: (_object, _level, logger) => {
      const scope = currentRequestScope();
      if (!scope || logger === scope.logger || 'requestId' in logger.bindings()) return {};
      return { requestId: scope.requestId };
    },
  };
  if (format === 'pretty') return pino(options, prettyStream(destination));
  return destination ? pino(options, destination) : pino(options);
}

/** pino-pretty's stream: time, level, service and message on one line, the other fields below; colours only on a terminal. */
function prettyStream(destination?: DestinationStream): DestinationStream {
  // Required here, not imported at the top: a process that logs JSON never loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  const pretty: typeof import('pino-pretty') = require('pino-pretty');
  return pretty({
    sync: true,
    colorize: !destination && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,name',
    messageFormat: '{if service}[{service}] {end}{msg}',
    ...(destination ? { destination } : {}),
  });
}
