// Benchmark harness: runs every bench/*.bench.ts (or those named on the command line) each in its own
// process, so one benchmark's heap and RSS do not colour the next; writes bench/results/<name>.json and
// prints one summary table.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Metrics = Record<string, number | string | boolean>;

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, 'results');

async function runOne(file: string): Promise<void> {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<Metrics> };
  const started = Date.now();
  const metrics = await mod.default();
  const result = {
    benchmark: basename(file, '.bench.ts'),
    at: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    node: process.version,
    metrics,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${result.benchmark}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

function main(): void {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => wanted.length === 0 || wanted.includes(basename(f, '.bench.ts')))
    .sort();
  if (files.length === 0) {
    console.error(`no benchmark matches ${wanted.join(', ')}`);
    process.exit(2);
  }
  let failed = 0;
  const rows: [string, string, string][] = [];
  for (const file of files) {
    const name = basename(file, '.bench.ts');
    console.log(`\n== ${name}`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file], {
      stdio: 'inherit',
      env: process.env,
    });
    if (child.status !== 0) {
      failed++;
      rows.push([name, 'FAILED', `exit ${child.status ?? child.signal}`]);
      continue;
    }
    const { metrics } = JSON.parse(readFileSync(join(resultsDir, `${name}.json`), 'utf8')) as { metrics: Metrics };
    for (const [k, v] of Object.entries(metrics)) rows.push([name, k, String(v)]);
  }
  const table: [string, string, string][] = [['benchmark', 'metric', 'value'], ...rows];
  const w = [0, 1].map((i) => Math.max(...table.map((r) => r[i]!.length)));
  console.log('');
  for (const r of table) console.log(`${r[0].padEnd(w[0]!)}  ${r[1].padEnd(w[1]!)}  ${r[2]}`);
  console.log(`\nresults: ${resultsDir}`);
  writeFileSync(join(resultsDir, 'summary.json'), `${JSON.stringify(rows.map(([benchmark, metric, value]) => ({ benchmark, metric, value })), null, 2)}\n`);
  process.exit(failed ? 1 : 0);
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  runOne(process.argv[childIndex + 1]!).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  main();
}
