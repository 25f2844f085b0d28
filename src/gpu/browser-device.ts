// Getting a device in a browser: navigator.gpu, core first, then a compatibility-mode adapter.
import { type GpuContext, openDevice, summarizeAdapter } from './context.js';

export async function createBrowserGpu(): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new Error(
      'This browser has no WebGPU (navigator.gpu is missing). Use a recent Chrome or Edge, ' +
        'or Firefox/Safari with WebGPU enabled, and load the page over https or from localhost.',
    );
  }
  const core = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (core) return openDevice(core, summarizeAdapter(core, 'browser', 'core'));
  const compat = await gpu.requestAdapter({ featureLevel: 'compatibility' });
  if (compat) return openDevice(compat, summarizeAdapter(compat, 'browser-compat', 'compatibility'));
  throw new Error(
    'WebGPU is present but the browser offered no adapter (requestAdapter returned null). ' +
      'In headless Chromium pass --enable-unsafe-webgpu; check chrome://gpu for why WebGPU is disabled.',
  );
}
