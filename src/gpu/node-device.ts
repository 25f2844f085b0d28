// Getting a device in Node through Dawn (the `webgpu` package): Vulkan core first, then Dawn's OpenGL ES /
// OpenGL backend in compatibility mode through surfaceless EGL, for machines whose Vulkan driver is missing or
// too old. PRANET_BACKEND (or the `backend` option) forces one.
import { type GpuContext, openDevice, summarizeAdapter } from './context.js';

type NodeBackend = 'vulkan' | 'opengles' | 'opengl';
const ORDER: readonly NodeBackend[] = ['vulkan', 'opengles', 'opengl'];

export interface NodeGpuOptions {
  backend?: NodeBackend;
  /**
   * Timestamps at full resolution: Dawn quantizes them by default (multiples of 65.5 us on an H100; an empty
   * pass reads 0 on lavapipe), which hides small kernels. Turning that off needs Dawn's unsafe APIs, so only
   * the measuring commands (profile, bench, tune) ask for it; segmenting never does.
   */
  unquantizedTimestamps?: boolean;
}

/** The Dawn toggles that give unquantized timestamps. */
export const UNQUANTIZED_TIMESTAMP_TOGGLES = ['enable-dawn-features=allow_unsafe_apis', 'disable-dawn-features=timestamp_quantization'] as const;

let webgpuModule: Promise<typeof import('webgpu')> | undefined;

// Dawn's instance must outlive every device made from it: if the garbage collector frees the GPU object,
// the driver's threads run on freed memory and the process dies at random (seen on lavapipe). So instances are
// kept for the process's life, and one per set of flags is reused: each holds threads of its own (a new one per
// load grew a process by ~5 threads and ~5 MB per segmenter, for good).
const instances = new Map<string, GPU>();

function instanceFor(create: (flags: string[]) => GPU, flags: string[]): GPU {
  const key = flags.join(' ');
  let gpu = instances.get(key);
  if (!gpu) instances.set(key, (gpu = create(flags)));
  return gpu;
}

async function loadDawn(): Promise<typeof import('webgpu')> {
  webgpuModule ??= import('webgpu').then((m) => {
    // Dawn's classes (GPUBufferUsage, GPUMapMode, ...) become globals, as in a browser.
    Object.assign(globalThis, m.globals);
    return m;
  });
  return webgpuModule;
}

function parseBackend(value: string | undefined): NodeBackend | undefined {
  if (value === undefined || value === '') return undefined;
  if ((ORDER as readonly string[]).includes(value)) return value as NodeBackend;
  throw new Error(`PRANET_BACKEND=${value} is not a backend; use one of: ${ORDER.join(', ')}`);
}

export async function createNodeGpu(options: NodeGpuOptions = {}): Promise<GpuContext> {
  const forced = options.backend ?? parseBackend(process.env.PRANET_BACKEND);
  const tries = forced ? [forced] : ORDER;
  const { create } = await loadDawn();
  process.env.XDG_RUNTIME_DIR ??= '/tmp'; // Mesa warns on every start without it
  const failures: string[] = [];
  for (const backend of tries) {
    const featureLevel = backend === 'vulkan' ? 'core' : 'compatibility';
    if (backend !== 'vulkan') process.env.EGL_PLATFORM ??= 'surfaceless'; // EGL without a display
    try {
      const gpu = instanceFor(create, [`backend=${backend}`, ...(options.unquantizedTimestamps ? UNQUANTIZED_TIMESTAMP_TOGGLES : [])]);
      const adapter = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' });
      if (!adapter) {
        failures.push(`${backend} (${featureLevel}): no adapter`);
        continue;
      }
      return await openDevice(adapter, summarizeAdapter(adapter, backend, featureLevel));
    } catch (err) {
      failures.push(`${backend} (${featureLevel}): ${(err as Error).message}`);
    }
  }
  throw new Error(
    `No WebGPU adapter found. Tried: ${failures.join('; ')}.\n` +
      'On a machine without a GPU install a software Vulkan driver: on Debian 12, Mesa 25 lavapipe from ' +
      'bookworm-backports (`apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1`; see .ci/install-system). ' +
      "Stock Mesa 22 lavapipe is rejected by Dawn; with it, PRANET_BACKEND=opengles uses Mesa's GL ES instead.",
  );
}
