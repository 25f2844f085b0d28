// Every kernel family run in headless Chromium (WebGPU on SwiftShader) and in Node (Dawn) on the same calls
// and inputs: the page's outputs must equal Node's within 1e-5 of Node's largest magnitude.
import { expect } from 'chai';
import { unpackNhwc } from '../../src/kernels/layout.js';
import { expectClose, expectOutputWindow } from '../support/compare.js';
import { runCall } from '../support/gpu.js';
import { kernelCases } from './support/kernel-cases.js';
import { openHarness, openSession, type Session, withDeadline } from './support/session.js';
import { callToWire, floatsFromBase64, toBase64 } from './support/wire.js';

describe('browser: kernels in headless Chromium equal Node', function () {
  let session: Session | undefined;

  before(async function () {
    this.timeout(180_000);
    session = await openSession({ webgpu: true });
    const adapter = await openHarness(session);
    console.log(`      [browser GPU] ${JSON.stringify(adapter)}`);
  });

  after(async () => {
    await session?.close();
  });

  for (const c of kernelCases()) {
    it(c.name, async function () {
      this.timeout(120_000);
      const node = (await runCall(c.call, c.inputs, { y: c.yFloats })).y!;
      const inputs = Object.fromEntries(Object.entries(c.inputs).map(([slot, f]) => [slot, toBase64(f)]));
      const sent = await withDeadline(
        session!.page.evaluate(([call, ins, floats]) => window.harnessReady!.then((h) => h.runCall(call, ins, { y: floats })), [
          callToWire(c.call),
          inputs,
          c.yFloats,
        ] as const),
        90_000,
        `${c.name} in the page`,
      );
      const browser = floatsFromBase64(sent.y!);
      expect(browser.length, 'output floats').to.equal(c.yFloats);
      const nodeWindow = unpackNhwc(node, c.y);
      const nodeBad = nodeWindow.findIndex((v) => !Number.isFinite(v));
      expect(nodeBad, `Node output element ${nodeBad} is not finite`).to.equal(-1);
      expectClose(unpackNhwc(browser, c.y), nodeWindow, 1e-5, `${c.name}: browser vs Node`);
      expectOutputWindow(browser, c.y.cs, c.y.co, c.y.c, `${c.name}: browser output window`);
    });
  }
});
