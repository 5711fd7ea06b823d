import { pino, type DestinationStream, type Logger } from 'pino';

import type { Config } from './config.js';
import { currentCaller, currentRequestId } from './request-context.js';

export type { Logger };

/** JSON lines; each carries the id of the request it serves and who sent it, when there is one. */
export function createLogger(
  config: Pick<Config, 'logLevel'>,
  name: string,
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level: config.logLevel,
    base: { service: name, pid: process.pid },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { requestId, ...currentCaller() };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
