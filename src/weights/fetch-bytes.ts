// Downloads a file with fetch, streaming it so progress can be reported as bytes arrive.
import { concatBytes } from '../util/bytes.js';
import { MAX_CHECKPOINT_BYTES } from './budget.js';

/** `total` is undefined when the server gives no usable Content-Length (for example a gzip transfer). */
export type ProgressCallback = (loaded: number, total: number | undefined) => void;

function declaredLength(res: Response): number | undefined {
  const encoding = res.headers.get('content-encoding');
  const length = Number(res.headers.get('content-length') ?? NaN);
  // With a content encoding, Content-Length counts compressed bytes, not what the stream delivers.
  return (!encoding || encoding === 'identity') && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** " (cause)" of a fetch error: Node says only "fetch failed" and puts ECONNREFUSED etc. in its cause. */
function cause(e: Error): string {
  return e.cause instanceof Error ? ` (${e.cause.message})` : '';
}

/** The body of `url`; more than `maxBytes` is refused (a weight file that large cannot fit the reader's budget). */
export async function fetchBytes(url: string | URL, onProgress?: ProgressCallback, maxBytes = MAX_CHECKPOINT_BYTES): Promise<Uint8Array> {
  const name = String(url);
  const res = await fetch(url).catch((e: Error) => {
    throw new Error(`${name}: download failed: ${e.message}${cause(e)}`);
  });
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${res.statusText}`);
  const total = declaredLength(res);
  const tooLarge = (what: string) => new Error(`${name}: ${what}, more than the limit of ${maxBytes} bytes for a weight file`);
  if (total !== undefined && total > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(`the server announces ${total} bytes`);
  }
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer()); // no stream: nothing to bound, as in old browsers
    onProgress?.(bytes.length, bytes.length);
    return bytes;
  }
  const reader = res.body.getReader();
  const out = total !== undefined ? new Uint8Array(total) : undefined;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((e: Error) => {
      throw new Error(`${name}: download failed after ${loaded} of ${total ?? 'unknown'} bytes: ${e.message}${cause(e)}`);
    });
    if (done) break;
    if (loaded + value.length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(`the download reached ${loaded + value.length} bytes`);
    }
    if (out) {
      if (loaded + value.length > out.length) {
        await reader.cancel();
        throw new Error(`${name}: server sent more than its Content-Length of ${out.length} bytes`);
      }
      out.set(value, loaded);
    } else {
      chunks.push(value);
    }
    loaded += value.length;
    onProgress?.(loaded, total);
  }
  if (out) {
    if (loaded !== out.length) throw new Error(`${name}: truncated download: got ${loaded} of ${out.length} bytes`);
    return out;
  }
  onProgress?.(loaded, loaded);
  return concatBytes(chunks, loaded);
}
