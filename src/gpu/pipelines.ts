// Compiled compute pipelines, cached by their WGSL text: the same specialisation is compiled once per device.
// Pipelines are created synchronously: Dawn's async creation aborts the process on Mesa's lavapipe
// (a pthread priority assertion in its worker thread), and compile time is the same either way.
import type { GpuContext } from './context.js';

export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  constructor(private readonly ctx: GpuContext) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(code: string, label: string): Promise<GPUComputePipeline> {
    let pipeline = this.pipelines.get(code);
    if (!pipeline) {
      pipeline = this.compile(code, label);
      pipeline.catch(() => this.pipelines.delete(code));
      this.pipelines.set(code, pipeline);
    }
    return pipeline;
  }

  private async compile(code: string, label: string): Promise<GPUComputePipeline> {
    const device = this.ctx.device;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label, code });
    const pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    const error = await device.popErrorScope();
    if (error) {
      const info = await module.getCompilationInfo();
      const messages = info.messages.map((m) => `  ${m.lineNum}:${m.linePos} ${m.type}: ${m.message}`).join('\n');
      throw new Error(`${label}: shader failed to compile: ${error.message}${messages ? `\n${messages}` : ''}`);
    }
    return pipeline;
  }
}
