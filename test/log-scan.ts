// Scans captured log files for the credentials the test run uses. A plain function: the global teardown
// (test/log-capture.setup.ts) runs it over the whole run's capture, and test/hardening/log-scan.test.ts proves
// it finds a planted credential.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Literal secrets the suites and the simulator use. */
export const KNOWN_SECRETS: string[] = [
  'iiq-graph-secret', // the simulator's OAuth client secret
  Buffer.from('spadmin:admin').toString('base64'), // Basic spadmin:admin
  'hunter2', // test passwords
  'wrong-password',
  'test-admin-key-0123456789abcdef', // admin keys of the harnesses
  'hardening-admin-key-5b6c7d8e9f0a1b2c',
  'server-test-admin-key-0123456789',
  // IIQ_GRAPH_SECRET_KEY values (Buffer.alloc(32, n) in test/connections, test/gateway, test/hardening)
  ...Array.from({ length: 16 }, (_, n) => Buffer.alloc(32, n + 1).toString('base64')),
];

/** Credential shapes: an API key with its secret part, an Authorization value, a secret-named JSON field with a value. */
export const SECRET_PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'API key', re: /iiqg_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{20,}/ },
  { name: 'Authorization value', re: /\b(?:Basic|Bearer)\s+(?!\[redacted\])[A-Za-z0-9._~+/-]{8,}=*/ },
  { name: 'secret field', re: /"(?:password|clientSecret|client_secret|access_token|refresh_token|authorization|adminKey|apiKey|secretKey)"\s*:\s*"(?!\[redacted\])[^"]+"/i },
];

export interface LogFinding {
  file: string;
  line: number;
  kind: string;
  /** the match with most of it masked */
  hint: string;
}

export interface LogScan {
  files: number;
  lines: number;
  findings: LogFinding[];
}

/** a hint to find it, never most of it: a quarter of it at most (up to 6 characters), and its length */
const mask = (s: string) => `${s.slice(0, Math.min(6, Math.floor(s.length / 4)))}*** (${s.length} chars)`;

/** Every `*.log` file in `dir`, line by line, against the known secrets and the credential shapes. */
export function scanLogDir(dir: string, secrets: string[] = KNOWN_SECRETS, patterns = SECRET_PATTERNS): LogScan {
  const scan: LogScan = { files: 0, lines: 0, findings: [] };
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
  } catch {
    return scan;
  }
  for (const name of names) {
    const file = join(dir, name);
    scan.files++;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (!text) return;
      scan.lines++;
      for (const s of secrets) if (text.includes(s)) scan.findings.push({ file, line: i + 1, kind: 'known secret', hint: mask(s) });
      for (const { name: kind, re } of patterns) {
        const m = re.exec(text);
        if (m) scan.findings.push({ file, line: i + 1, kind, hint: mask(m[0]) });
      }
    });
  }
  return scan;
}

export function formatScan(scan: LogScan): string {
  return `log scan: ${scan.files} files, ${scan.lines} lines, ${scan.findings.length} credentials`;
}
