// The worker client (pranet-wgsl/worker-client) used the ways apps get it wrong, in headless Chromium on the
// tiny random PraNet: no call may wait forever once the worker is gone or was never going to answer, errors
// name the problem (and match the main-thread engine's where it has the same one), and neither the app's
// messages nor its own worker code are mistaken for the engine's.
import { expect } from 'chai';
import { openSession, type Session, withDeadline } from './support/session.js';
import { openWorkerMisuse } from './support/worker-misuse-harness.js';
import type { Both, Outcome, WorkerMisuse } from './support/worker-misuse-wire.js';

const SIZE = 64;

function expectResolved(o: Outcome, what: string, value?: unknown): void {
  expect(o, what).to.deep.include({ state: 'resolved' });
  if (value !== undefined) expect((o as { value?: unknown }).value, what).to.deep.equal(value);
}

function expectRejected(o: Outcome, what: string, message: string | RegExp): Extract<Outcome, { state: 'rejected' }> {
  expect(o.state, `${what}: ${JSON.stringify(o)}`).to.equal('rejected');
  const r = o as Extract<Outcome, { state: 'rejected' }>;
  if (typeof message === 'string') expect(r.message, what).to.equal(message);
  else expect(r.message, what).to.match(message);
  return r;
}

/** The worker rejects as the main thread does: same class, name and message. */
function expectSameRejection(b: Both, what: string, message: string | RegExp): void {
  const main = expectRejected(b.main, `${what} (main thread)`, message);
  expect(b.worker, `${what} (worker)`).to.deep.equal(main);
}

describe('browser: the worker client misused', function () {
  let session: Session | undefined;
  type Result<K extends keyof WorkerMisuse> = Awaited<ReturnType<WorkerMisuse[K]>>;
  const run = async <K extends keyof WorkerMisuse>(scenario: K): Promise<Result<K>> => {
    const call = session!.page.evaluate(([name, url, size]) => (window.workerMisuse![name] as (url: string, size: number) => Promise<unknown>)(url, size), [
      scenario,
      'tiny.pnw',
      SIZE,
    ] as const);
    return (await withDeadline(call, 400_000, `the ${scenario} scenario`)) as Result<K>;
  };

  before(async function () {
    this.timeout(180_000);
    session = await openSession({ webgpu: true });
    await openWorkerMisuse(session);
  });

  after(async () => {
    await session?.close();
  });

  it('many calls at once each get their own result; dispose() lets calls in flight finish; terminate() from outside and a Worker given twice fail by name', async function () {
    this.timeout(450_000);
    const r = await run('lifecycle');
    expect(r.sizes, 'results of calls made together, in call order').to.deep.equal(['10x11', '37x5', '8x64', '20x20', '3x2']);
    expect(r.sameAsOneByOne, 'each equals the same call made alone').to.deep.equal([true, true, true, true, true]);
    r.atDispose.inFlight.forEach((o, i) => expectResolved(o, `call ${i} in flight at dispose()`));
    expectResolved(r.atDispose.dispose, 'dispose()');
    expectResolved(r.atDispose.again, 'dispose() again');
    expectRejected(r.atDispose.after, 'a call after dispose()', 'this segmenter has been disposed');
    const terminated = /^the segmentation worker was terminated \(worker\.terminate\(\)\)/;
    expectRejected(r.terminated.inFlight, 'a call in flight at worker.terminate()', terminated);
    expectRejected(r.terminated.later, 'a call after worker.terminate()', terminated);
    expectResolved(r.terminated.dispose, 'dispose() after worker.terminate()');
    const given = /^loadSegmenterInWorker: this Worker was already given to a segmenter/;
    expectRejected(r.givenTwice, 'a second load on a Worker in use', given);
    expectResolved(r.firstAfterGivenTwice, 'the first segmenter after that second load', '10x11');
    expectRejected(r.givenAfterDispose, 'a load on a Worker whose segmenter was disposed', given);
    expectRejected(
      r.notAWorker,
      '{ worker } as a string',
      `loadSegmenterInWorker: { worker } takes a module Worker (new Worker(url, { type: 'module' })), got "worker.js"`,
    );
  });

  it("survives the app's own worker code (errors, messages, a late import), fails pending calls when it closes, and bounds a load with a signal", async function () {
    this.timeout(450_000);
    const r = await run('hostScripts');
    expectRejected(
      r.throwsBefore,
      'a host script that throws before the engine loads',
      'the segmentation worker failed: Uncaught Error: the host script broke before the engine loaded',
    );
    expectResolved(r.throwsAfter, 'a host script that throws after the engine loaded', '16x12');
    expectResolved(r.hostError.inFlight, 'a call in flight when the host script throws', '16x12');
    expectResolved(r.hostError.later, 'a call after the host script threw', '16x12');
    r.withHostMessages.calls.forEach((o, i) => expectResolved(o, `call ${i} among the app's own messages`, '16x12'));
    expect(r.withHostMessages.echoes, "the app's own messages, all answered by its own code").to.equal(3);
    const closed = 'the segmentation worker closed itself (close() in the worker)';
    expectRejected(r.closed.inFlight, 'a call pending when the worker closes itself', closed);
    expectRejected(r.closed.later, 'a call after the worker closed itself', closed);
    expectResolved(r.closed.dispose, 'dispose() after the worker closed itself');
    expectResolved(r.lateImport, 'a worker that imports the engine late (dynamic import)', '16x12');
    expect(expectRejected(r.deafWithTimeout, 'a worker that never answers, with AbortSignal.timeout', /timed out/).name).to.equal('TimeoutError');
    expectRejected(r.abortedLoad, 'a load aborted by its signal', 'the user left the page');
    expectResolved(r.abortAfterLoad, 'a segmenter whose load signal is aborted after the load', '16x12');
    expect(r.loadsSeen, 'load messages the worker received for one load (the weights go once)').to.equal(1);
    expectResolved(r.weightsDetachedAfterCall, 'weight bytes handed elsewhere just after the call (copied at the call)', '16x12');
    expectRejected(r.rawLoadOnLoaded, 'a second load, id 1, on a worker holding a model', /^this worker already holds a model/);
    expectRejected(
      r.otherVersion,
      'a worker of another version',
      /another version of pranet-wgsl \(it speaks pranet-wgsl\/worker\/0, this page pranet-wgsl\/worker\/1\)/,
    );
    expectResolved(r.workerToOtherVersion, "the worker's answer to a page of another version", {
      protocol: 'pranet-wgsl/worker/1',
      id: 0,
      kind: 'failed',
      error: { name: 'Error', message: 'the page speaks pranet-wgsl/worker/0, this worker pranet-wgsl/worker/1' },
    });
    const noGpu = expectRejected(r.noWebGpu, 'a worker without WebGPU', /navigator\.gpu is missing/);
    expect([noGpu.cls, noGpu.name], 'its class crosses').to.deep.equal(['NoWebGpuError', 'NoWebGpuError']);
  });

  it('refuses bad inputs by name as the main thread does, before handing anything over; a transfer takes only the image', async function () {
    this.timeout(450_000);
    const r = await run('inputs');
    const expected = /^image 0: expected RGBA pixels \(\{ width, height, data: Uint8Array \}\), ImageData or an ImageBitmap, got an /;
    expectSameRejection(r.img, 'an <img>', expected);
    expectSameRejection(r.canvas, 'a <canvas>', expected);
    expectSameRejection(r.notArray, 'segmentBatch(null)', 'segmentBatch takes an array of images, got null');
    expectSameRejection(r.set, 'segmentBatch(a Set)', 'segmentBatch takes an array of images, got object');
    expectSameRejection(r.refused, 'too few bytes for the size', 'image 0: expected RGBA pixels (width * height * 4 bytes), got 3x3 with 10 bytes');
    expect(r.refusedKeeps, 'a refused image keeps its buffer, even with { transfer: true }').to.equal(10);
    expectSameRejection(r.huge, 'an ImageBitmap above 40 Mpx', 'imageToRgba: the image is 6400x6300 = 40320000 pixels, above the limit of 40000000');
    for (const key of ['getters', 'extraField', 'extraOption'] as const) {
      expectResolved(r[key].main, `${key} (main thread)`);
      expect(r[key].worker, `${key}: the worker as the main thread`).to.deep.equal(r[key].main);
    }
    expect(r.handedLength, 'a transferred buffer is detached on the page (documented)').to.equal(0);
    expectRejected(
      r.detached.worker,
      'that buffer passed again',
      /^image 0: its pixel buffer is detached \(an earlier call with \{ transfer: true \} handed it to the worker\)/,
    );
    expectRejected(r.closedBitmap.worker, 'a transferred ImageBitmap passed again', /^image 0: the ImageBitmap is closed/);
    expect(r.poolKeeps, 'transferring pixels that view a larger buffer leaves that buffer whole').to.equal(128);
    expect(r.viewSame, 'and segments those pixels, not the whole buffer').to.equal(true);
    expect(r.subclassPoolKeeps, 'pixels of a subclass whose slice() is a view: its pool stays whole (copied by constructor)').to.equal(128);
    const weights = expectRejected(r.garbageWeights.main, 'weight bytes that are not a weight file (main thread)', /weight bytes/);
    expect(weights.cls).to.equal('WeightsLoadError');
    expect(r.garbageWeights.worker, 'the worker rejects with the same WeightsLoadError').to.deep.equal(weights);
  });
});
