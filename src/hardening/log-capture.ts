// One place where the gateway's pino loggers are built. With IIQ_GRAPH_TEST_LOG_DIR set (the test run sets it,
// see test/log-capture.setup.ts), every logger also writes at level `trace`, with the same redaction, to a
// per-process file in that directory, so that the run's logs can be scanned for credentials afterwards; a
// logger that is otherwise silent writes only there. Without the variable nothing changes.
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { secretSafeLoggerOptions } from './redaction.ts';

export const LOG_CAPTURE_ENV = 'IIQ_GRAPH_TEST_LOG_DIR';
const CAPTURE_LEVEL = 'trace';

let capture: { dir: string; stream: DestinationStream } | null = null;

/** The per-process capture file's stream, or null when capture is off. */
function captureStream(): DestinationStream | null {
  const dir = process.env[LOG_CAPTURE_ENV];
  if (!dir) return null;
  if (capture?.dir !== dir) {
    mkdirSync(dir, { recursive: true });
    // written synchronously: test workers can end without running exit hooks, and a buffer would be lost
    const fd = openSync(join(dir, `${process.pid}.log`), 'a');
    capture = { dir, stream: pino.destination({ fd, sync: true }) };
  }
  return capture.stream;
}

/**
 * pino(options, destination), plus the capture file when capture is on. The normal destination keeps the
 * options' level (`enabled: false` keeps it silent); the capture file gets every line at `trace`.
 */
export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const file = captureStream();
  if (!file) return destination ? pino(options, destination) : pino(options);
  const { enabled, level, ...rest } = options;
  const normal = enabled === false ? [] : [{ level: (level ?? 'info') as pino.Level, stream: destination ?? pino.destination(1) }];
  return pino(
    { ...secretSafeLoggerOptions(), ...rest, level: CAPTURE_LEVEL },
    pino.multistream([...normal.filter((s) => (s.level as string) !== 'silent'), { level: CAPTURE_LEVEL, stream: file }]),
  );
}

/** A logger that writes nothing (only the capture file, when capture is on). */
export function silentLogger(): Logger {
  return createLogger({ enabled: false, ...secretSafeLoggerOptions() });
}

/** Writes out the capture file's buffer (tests read it back). */
export function flushCapture(): void {
  (capture?.stream as { flushSync?: () => void } | undefined)?.flushSync?.();
}
