// `src/server.ts` as a real process for tests: where it is, and when it listens (read from its JSON log).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const serverFile = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

/**
 * Resolves with the GraphQL URL the server logs once it listens. `logs` keeps collecting every stdout line
 * after that, so tests can wait for later log entries.
 */
export function waitUntilListening(child: ChildProcessWithoutNullStreams): Promise<{ url: string; logs: string[] }> {
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        const entry = JSON.parse(line) as { msg: string; url?: string };
        if (entry.msg.startsWith('iiq-graph is listening') && entry.url) resolve({ url: entry.url, logs });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
  });
}
