// One console line per hardening suite with its counts (npm test prints it; CI greps "hardening:").
import { afterAll } from 'vitest';

export function suiteCounter(suite: string): { add(kind: string, n?: number): void } {
  const counts = new Map<string, number>();
  afterAll(() => {
    const parts = [...counts].map(([k, n]) => `${n} ${k}`);
    console.log(`hardening: ${suite}: ${parts.join(', ')}`);
  });
  return {
    add(kind, n = 1) {
      counts.set(kind, (counts.get(kind) ?? 0) + n);
    },
  };
}
