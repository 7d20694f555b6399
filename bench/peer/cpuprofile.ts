// Self time of a V8 CPU profile (.cpuprofile / Profiler.stop), summed by function and by package or source file.

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Prints the `top` entries with the most self time: by function, and (byPackage) by package / source file. */
export function printSelfTime(profile: CpuProfile, top: number, byPackage = false): void {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFile = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const t = self.get(n.id) ?? 0;
    total += t;
    const where = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/main\//, '');
    const pkg = where.startsWith('@') ? where.split('/').slice(0, 2).join('/') : where.includes('/') && !where.startsWith('src') ? where.split('/')[0]! : where || n.callFrame.functionName;
    byFile.set(pkg, (byFile.get(pkg) ?? 0) + t);
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  const print = (m: Map<string, number>) => {
    for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
  };
  if (byPackage) {
    console.log('--- self time by package / file');
    print(byFile);
    console.log('--- by function');
  }
  print(byFn);
}
