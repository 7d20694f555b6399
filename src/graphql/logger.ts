// The logging surface the gateway needs; a pino logger satisfies it.
import { pino } from 'pino';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger = (): Logger => pino({ enabled: false });
