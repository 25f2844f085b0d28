// How much memory a checkpoint may make its reader allocate, decided from the file's structure before any
// storage is read or any tensor materialised, so a small hostile file cannot ask for gigabytes.
//
// The rule: the reader holds each storage once (as stored or inflated) and writes every tensor view out as
// float32; decoding reads elements where they lie and allocates nothing else (decode.ts, strided.ts), so
// this is the reader's peak, whatever the dtype or strides. In a normal checkpoint each view covers (part
// of) its own storage, so the views add up to no more values than the storages hold; the allowance below
// covers expanded (stride 0) and shared tensors of a small checkpoint. The official PraNet-19.pth (32.5 M
// parameters) needs ~130 MB of storages + ~130 MB of float32 values; MAX_CHECKPOINT_BYTES is 8 times that.

/** Values the views of a checkpoint may add beyond what its storages hold (64 MiB of float32). */
export const VIEW_ALLOWANCE_ELEMENTS = 2 ** 24;
/** Storages (each counted once) plus every tensor's float32 values: 2 GiB. */
export const MAX_CHECKPOINT_BYTES = 2 ** 31;

export interface ViewCost {
  name: string;
  /** Values the view materialises. */
  numel: number;
  storage: { key: string; numel: number; bytes: number };
}

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** Throws, naming the file and the most expanded tensor, unless the views fit both rules above. */
export function checkExpansion(views: readonly ViewCost[], source: string): void {
  const storages = new Map<string, ViewCost['storage']>();
  let values = 0;
  let worst: ViewCost | undefined;
  for (const v of views) {
    storages.set(v.storage.key, v.storage);
    values += v.numel;
    if (!worst || v.numel - v.storage.numel > worst.numel - worst.storage.numel) worst = v;
  }
  let held = 0;
  let storageBytes = 0;
  for (const s of storages.values()) {
    held += s.numel;
    storageBytes += s.bytes;
  }
  if (values > held + VIEW_ALLOWANCE_ELEMENTS) {
    throw new Error(
      `${source}: the tensors' views need ${values} values but their storages hold only ${held}; views may add at most ` +
        `${VIEW_ALLOWANCE_ELEMENTS} values to the storages (tensor '${worst!.name}' alone makes ${worst!.numel} values ` +
        `from storage '${worst!.storage.key}' of ${worst!.storage.numel}): refusing to expand the file`,
    );
  }
  const total = storageBytes + 4 * values;
  if (total > MAX_CHECKPOINT_BYTES) {
    throw new Error(
      `${source}: reading this checkpoint takes ${total} bytes (${mib(storageBytes)} of storages + ${mib(4 * values)} of ` +
        `float32 values), more than the limit of ${MAX_CHECKPOINT_BYTES} (${mib(MAX_CHECKPOINT_BYTES)})`,
    );
  }
}
