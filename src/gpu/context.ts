// The one device interface every other layer uses, whatever host (Node/Dawn or a browser) made it.

export type Backend = 'vulkan' | 'opengl' | 'opengles' | 'browser' | 'browser-compat';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The host backend we asked for (Dawn does not report it back). */
  backend: Backend;
  featureLevel: 'core' | 'compatibility';
  isFallbackAdapter: boolean;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterSummary;
  /** Optional features we enabled on the device (only those the engine uses). */
  features: ReadonlySet<string>;
  /** The limits we requested and got. */
  limits: GPUSupportedLimits;
  /** The subgroup size when the device has subgroups of one fixed size (kernels may then share loads). */
  subgroupSize?: number;
  /** Resolves with a message if the device is lost; every wait on the GPU races against it. */
  lost: Promise<string>;
  /** Throws the first uncaptured GPU error seen so far (validation, out-of-memory, internal), if any. */
  checkErrors(): void;
  destroy(): void;
}

/** Optional features the engine uses when present (and only those: a feature nothing uses is not requested). */
export const WANTED_FEATURES: readonly GPUFeatureName[] = ['timestamp-query', 'subgroups'];

/** Limits the kernels need raised above the WebGPU defaults, taken as high as the adapter allows. */
export const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
] as const;

export function summarizeAdapter(adapter: GPUAdapter, backend: Backend, featureLevel: 'core' | 'compatibility'): AdapterSummary {
  const info = adapter.info;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    backend,
    featureLevel,
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
  };
}

/** Creates the device with our features and limits and wires error and loss reporting. */
export async function openDevice(adapter: GPUAdapter, summary: AdapterSummary): Promise<GpuContext> {
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = (adapter.limits as unknown as Record<string, number | undefined>)[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (event) => {
    const err = event.error;
    errors.push(`${err.constructor?.name ?? 'GPUError'}: ${err.message}`);
  });
  let destroyed = false;
  const lost = device.lost.then((info) => (destroyed ? 'device destroyed' : `GPU device lost (${info.reason}): ${info.message || 'no message'}`));
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const fixedSubgroup = requiredFeatures.includes('subgroups') && info.subgroupMinSize !== undefined && info.subgroupMinSize === info.subgroupMaxSize;
  return {
    device,
    adapter: summary,
    features: new Set(requiredFeatures),
    limits: device.limits,
    ...(fixedSubgroup ? { subgroupSize: info.subgroupMinSize } : {}),
    lost,
    checkErrors() {
      if (errors.length > 0) {
        const all = errors.splice(0);
        throw new Error(`GPU error${all.length > 1 ? `s (${all.length})` : ''}: ${all.join('; ')}`);
      }
    },
    destroy() {
      destroyed = true;
      device.destroy();
    },
  };
}
