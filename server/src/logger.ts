import pino from 'pino';
import type { Config } from './config';

export type Logger = pino.Logger;

/** One JSON line per event; pino-pretty only when a developer asks for it. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_PRETTY' | 'NODE_ENV'>): Logger {
  const pretty = config.LOG_PRETTY && config.NODE_ENV !== 'production';
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'blindbox-server' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
