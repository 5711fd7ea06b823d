import { once } from 'node:events';
import type { Server } from 'node:net';

import type { Logger } from './logger.js';

/**
 * Exit status of a process that cannot start with its settings (sysexits' EX_CONFIG): `npm start` stops
 * everything instead of restarting it into the same failure.
 */
export const EXIT_BAD_SETTING = 78;

/** The setting that chose a port, named in the message when the port cannot be had. */
export type PortSetting = 'PORT' | 'OPS_PORT';

/**
 * Waits until `server` listens. A port in use or not allowed is a setting to change, not a crash to retry:
 * the process logs which setting and ends with {@link EXIT_BAD_SETTING}. For entry points only.
 */
export async function listenOrExit(
  server: Server,
  port: number,
  setting: PortSetting,
  logger: Logger,
): Promise<void> {
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    logger.fatal(
      { port, setting, code },
      `port ${port} is ${code === 'EADDRINUSE' ? 'in use' : 'not allowed'}: set ${setting} to a free port`,
    );
    process.exit(EXIT_BAD_SETTING);
  }
}
