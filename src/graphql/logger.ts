// The logging surface the gateway needs; a pino logger satisfies it.
import { silentLogger as captureOnlyLogger } from '../hardening/log-capture.ts';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Writes nothing (in a test run, only to the log-capture file: src/hardening/log-capture.ts). */
export const silentLogger = (): Logger => captureOnlyLogger();
