// The soak's instruments: live GPU buffers counted by wrapping a device's createBuffer and each buffer's
// destroy, and a run of many segment() calls on one segmenter with memory sampled along the way.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Segmenter } from '../../src/api/segmenter.js';
import type { RgbaImage } from '../../src/io/rgba-image.js';

export interface BufferTracker {
  /** buffers created and not yet destroyed, and their bytes */
  live(): { count: number; bytes: number };
  restore(): void;
}

export function trackBuffers(device: GPUDevice): BufferTracker {
  const live = new Map<GPUBuffer, number>();
  const create = device.createBuffer.bind(device);
  device.createBuffer = (desc: GPUBufferDescriptor) => {
    const buffer = create(desc);
    live.set(buffer, desc.size);
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = () => {
      live.delete(buffer);
      destroy();
    };
    return buffer;
  };
  return {
    live: () => ({ count: live.size, bytes: [...live.values()].reduce((a, b) => a + b, 0) }),
    restore: () => {
      device.createBuffer = create;
    },
  };
}

export interface SoakSample {
  calls: number;
  rssMiB: number;
  heapMiB: number;
  arrayBuffersMiB: number;
  buffers: number;
  bufferMiB: number;
}

const mib = (n: number) => n / 2 ** 20;

/** A full garbage collection without starting Node with --expose-gc: the flag set now, gc taken from a new context. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** `calls` segment() calls cycling through `images`, sampled after a full GC every `every` calls. */
export async function soak(s: Segmenter, images: readonly RgbaImage[], calls: number, every: number, tracker: BufferTracker): Promise<SoakSample[]> {
  const gc = collector();
  const samples: SoakSample[] = [];
  for (let i = 1; i <= calls; i++) {
    await s.segment(images[i % images.length]!);
    if (i % every !== 0) continue;
    gc();
    const m = process.memoryUsage();
    const b = tracker.live();
    samples.push({ calls: i, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), arrayBuffersMiB: mib(m.arrayBuffers), buffers: b.count, bufferMiB: mib(b.bytes) });
  }
  return samples;
}
