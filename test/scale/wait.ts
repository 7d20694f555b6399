// Waiting on real processes and databases in tests: poll a condition until it holds or a deadline passes.
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the first truthy value of `fn` (an empty list is truthy: return null to keep waiting). */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
