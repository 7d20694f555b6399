// Reading an IIQ response body as one string, cheaply (the 100-user page is ~220 KB).
// Node 20's UTF-8 decoder (Buffer#toString / TextDecoder / undici's body.text()) switches to a slow per-byte path
// at the first non-ASCII byte and stays on it to the end: one "é" early in a page made decoding ~4x slower than
// for pure ASCII (0.8 vs 0.2 ms per page). Real pages are almost all ASCII with a few accented names, so the body
// is decoded in segments: ASCII-only ones as Latin-1 (a plain copy), the others as UTF-8. Segments are only cut
// before an ASCII or lead byte, so the result is exactly `buf.toString('utf8')` (invalid sequences included).
import { Buffer, isAscii } from 'node:buffer';
import type { Dispatcher } from 'undici';

const SEGMENT = 2048;

/** UTF-8 → string, a leading BOM skipped (like undici's `body.text()`); equal to `toString('utf8')` otherwise. */
export function decodeUtf8(buf: Buffer): string {
  const n = buf.length;
  const start = n > 2 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  if (isAscii(buf)) return buf.toString('latin1', start, n);
  let out = '';
  let from = start;
  while (from < n) {
    let to = Math.min(n, from + SEGMENT);
    // never cut before a continuation byte (10xxxxxx): a sequence stays in one segment
    while (to < n && (buf[to]! & 0xc0) === 0x80) to++;
    out += isAscii(buf.subarray(from, to)) ? buf.toString('latin1', from, to) : buf.toString('utf8', from, to);
    from = to;
  }
  return out;
}

/** The whole body as a string (see decodeUtf8); the body is consumed. */
export async function readBodyText(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  if (length === 0) return '';
  return decodeUtf8(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
}
