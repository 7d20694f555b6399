// The run-wide log capture and its credential scan (test/log-capture.setup.ts runs scanLogDir over the whole
// run after the last file): the factory writes every logger's lines, redacted, at trace to the capture file, and
// the scanner reports a credential planted in a log line, with its file and line, masked.
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, flushCapture, LOG_CAPTURE_ENV, silentLogger } from '../../src/hardening/log-capture.ts';
import { secretSafeLoggerOptions } from '../../src/hardening/redaction.ts';
import { formatScan, scanLogDir } from '../log-scan.ts';
import { suiteCounter } from './summary.ts';

const counter = suiteCounter('log scan');

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'iiq-graph-log-scan-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('log scan', () => {
  it('reports each planted credential with its file and line, masked; a clean file gives 0', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'clean.log'), `${JSON.stringify({ level: 10, msg: 'GET /Users', authorization: '[redacted]', password: '[redacted]' })}\nBearer [redacted]\n`);
    expect(scanLogDir(dir).findings).toEqual([]);
    const planted = [
      JSON.stringify({ level: 30, msg: 'upstream call', headers: { authorization: 'Basic c3BhZG1pbjphZG1pbg==' } }),
      JSON.stringify({ level: 20, msg: 'token', body: 'client_secret=iiq-graph-secret' }),
      JSON.stringify({ level: 40, msg: `key iiqg_ABCDEFGHabcdefgh_${'x'.repeat(43)} rejected` }),
      JSON.stringify({ level: 10, conn: { password: 'hunter2' } }),
      JSON.stringify({ level: 10, msg: 'sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' }),
    ];
    writeFileSync(join(dir, 'leaky.log'), planted.join('\n') + '\n');
    const scan = scanLogDir(dir);
    expect(scan.files).toBe(2);
    expect(scan.lines).toBe(7);
    const lines = new Set(scan.findings.map((f) => `${f.file.endsWith('leaky.log') ? 'leaky' : '?'}:${f.line}`));
    expect([...lines].sort()).toEqual(['leaky:1', 'leaky:2', 'leaky:3', 'leaky:4', 'leaky:5']);
    expect(scan.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['known secret', 'API key', 'Authorization value', 'secret field']));
    // the report does not reprint the secret
    for (const f of scan.findings) expect(f.hint).not.toMatch(/c3BhZG1pbjphZG1pbg==|iiq-graph-secret|hunter2|x{20}/);
    expect(formatScan(scan)).toMatch(/^log scan: 2 files, 7 lines, [1-9]\d* credentials$/);
    counter.add('planted credentials found', lines.size);
  });

  it('with the capture variable set, every logger (even a silent one) writes redacted trace lines to the per-process file', () => {
    const saved = process.env[LOG_CAPTURE_ENV];
    const dir = tempDir();
    process.env[LOG_CAPTURE_ENV] = dir;
    try {
      const silent = silentLogger();
      silent.trace({ marker: 'capture-1', password: 'hunter2', headers: { authorization: 'Basic c3BhZG1pbjphZG1pbg==' } }, 'login with Bearer abcdefghijklmnop');
      const lines: string[] = [];
      const normal = createLogger({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
      normal.debug({ marker: 'capture-2' }, 'below the normal level');
      normal.warn({ marker: 'capture-3' }, 'at the normal level');
      flushCapture();
      const text = readFileSync(join(dir, `${process.pid}.log`), 'utf8');
      expect(text).toContain('capture-1');
      expect(text).toContain('capture-2'); // the capture file is at trace whatever the normal level
      expect(text).toContain('capture-3');
      expect(lines.join('')).not.toContain('capture-2'); // the normal destination keeps its level
      expect(lines.join('')).toContain('capture-3');
      expect(scanLogDir(dir).findings).toEqual([]); // redacted on the way in
      // a line written around the redaction is caught
      appendFileSync(join(dir, `${process.pid}.log`), `${JSON.stringify({ msg: 'raw', password: 'hunter2' })}\n`);
      expect(scanLogDir(dir).findings.length).toBeGreaterThan(0);
    } finally {
      if (saved === undefined) delete process.env[LOG_CAPTURE_ENV];
      else process.env[LOG_CAPTURE_ENV] = saved;
    }
  });

  it('without the variable a logger is plain pino (production unchanged)', () => {
    const saved = process.env[LOG_CAPTURE_ENV];
    delete process.env[LOG_CAPTURE_ENV];
    try {
      const lines: string[] = [];
      const logger = createLogger({ level: 'info' }, { write: (l: string) => void lines.push(l) });
      logger.debug({}, 'hidden');
      logger.info({ n: 1 }, 'shown');
      expect(lines).toHaveLength(1);
      expect(logger.level).toBe('info');
      expect(silentLogger().isLevelEnabled('error')).toBe(false);
    } finally {
      if (saved !== undefined) process.env[LOG_CAPTURE_ENV] = saved;
    }
  });

  it('an `err` given as a message string is scrubbed, not a crash (found by the capture: `{ err: (err as Error).message }`)', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', ...secretSafeLoggerOptions() }, { write: (l: string) => void lines.push(l) });
    logger.warn({ err: 'upstream said Bearer abcdefghijklmnop' }, 'scan failed');
    logger.warn({ err: new Error('refused Basic c3BhZG1pbjphZG1pbg==') }, 'call failed');
    logger.warn({ err: { code: 'X' } }, 'odd');
    const text = lines.join('');
    expect(JSON.parse(lines[0]!).err).toBe('upstream said Bearer [redacted]');
    expect(JSON.parse(lines[1]!).err.message).toBe('refused Basic [redacted]');
    expect(JSON.parse(lines[2]!).err).toEqual({ code: 'X' });
    expect(text).not.toMatch(/abcdefghijklmnop|c3BhZG1pbjphZG1pbg==/);
  });

  it('end to end: a vitest run whose capture holds a credential exits non-zero and names the file (the teardown)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'planted.log'), `${JSON.stringify({ level: 30, msg: 'x', password: 'hunter2' })}\n`);
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'IIQ_GRAPH_TEST_LOG_OWNER'));
    const run = promisify(execFile)(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/config.test.ts'], { cwd: root, env: { ...env, IIQ_GRAPH_TEST_LOG_DIR: dir } });
    const failed = await run.then(() => null, (err: { code?: number; stdout?: string; stderr?: string }) => err);
    expect(failed?.code).toBe(1);
    const out = `${failed?.stdout ?? ''}${failed?.stderr ?? ''}`;
    expect(out).toMatch(/log scan: \d+ files, \d+ lines, [1-9]\d* credentials/);
    expect(out).toContain('planted.log:1');
    expect(out).not.toContain('hunter2');
  }, 60_000);
});
