// The way round a browser that cannot copy a <video> or VideoFrame to WebGPU: an ImageBitmap of it. Firefox
// (its WebIDL takes neither: a TypeError at the call) is played by a CopyWatch on one segmenter's queue; this
// Chromium (OperationError, no GPU compositing) is itself. Checked: the first refusal of a type sends it and
// later frames of it as ImageBitmaps without trying again, every ImageBitmap the engine makes is closed once
// used, a failed ImageBitmap says what is left to try, and frames of mixed types in flight together (2 and 3
// slots) give the same map as the good frame.
import { type FrameInput, type FrameSegmenter, loadFrameSegmenter } from '../../../src/browser.js';
import type { FrameCaseResult } from '../support/wire.js';
import { CaseRunner, maxDiff } from './case-runner.js';
import type { CopyWatch } from './copy-watch.js';
import { drawnCanvas, loadVideo } from './media.js';

/** What createImageBitmap rejects with where the browser cannot make one (Chromium's, for a picture it cannot read). */
export const noBitmap = () => new DOMException('The source image could not be decoded.', 'InvalidStateError');

async function withSegmenter<T>(weightsUrl: string, size: number, maxInFlight: number, work: (frames: FrameSegmenter) => Promise<T>): Promise<T> {
  const frames = await loadFrameSegmenter(weightsUrl, { size, maxInFlight });
  try {
    return await work(frames);
  } finally {
    await frames.dispose();
  }
}

export async function fallbackCases(
  weightsUrl: string,
  size: number,
  clip: string,
  good: ImageBitmap,
  watch: CopyWatch,
  results: FrameCaseResult[],
): Promise<void> {
  // A <video> of its own, at the first frame (the one `good` was made of): the other cases seek theirs.
  const video = await loadVideo(clip);
  await withSegmenter(weightsUrl, size, 1, async (frames) => {
    watch.firefox.add(frames.gpu.device.queue);
    const runner = await new CaseRunner(frames, good, watch, results).start();
    /** A case where the next createImageBitmap call fails (the engine's; left unused if it makes none). */
    const noBitmapCase = async (name: string, frame: () => FrameInput) => {
      watch.bitmapFailures.push(noBitmap());
      await runner.run(name, frame);
      watch.bitmapFailures.length = 0;
    };
    const videoFrame = new VideoFrame(video, { timestamp: 0 });
    try {
      // Neither way works: not remembered, so the next VideoFrame tries the copy again.
      await noBitmapCase('Firefox: VideoFrame, and no ImageBitmap of it', () => videoFrame);
      await runner.run('Firefox: VideoFrame', () => videoFrame);
      await runner.run('Firefox: VideoFrame again', () => videoFrame);
      await runner.run('Firefox: <video>', () => video);
      await runner.run('Firefox: <video> again', () => video);
      await noBitmapCase('Firefox: <video> again, and no ImageBitmap of it', () => video);
    } finally {
      videoFrame.close();
    }
  });
  await inFlightTogether(weightsUrl, size, 2, false, video, good, watch, results);
  await inFlightTogether(weightsUrl, size, 3, true, video, good, watch, results);
}

/** Frames of every browser type at once through `maxInFlight` slots (as Firefox, or as this Chromium), each the good frame's picture. */
async function inFlightTogether(
  weightsUrl: string,
  size: number,
  maxInFlight: number,
  firefox: boolean,
  video: HTMLVideoElement,
  good: ImageBitmap,
  watch: CopyWatch,
  results: FrameCaseResult[],
): Promise<void> {
  await withSegmenter(weightsUrl, size, maxInFlight, async (frames) => {
    if (firefox) watch.firefox.add(frames.gpu.device.queue);
    const reference = (await frames.segment(good)).probability; // frame 0: the batch's are 1 to 8
    const offscreen = new OffscreenCanvas(good.width, good.height);
    offscreen.getContext('2d')!.drawImage(good, 0, 0);
    const videoFrames = [new VideoFrame(video, { timestamp: 0 }), new VideoFrame(video, { timestamp: 1 })];
    const batch: [string, FrameInput][] = [
      ['<video>', video],
      ['ImageBitmap', good],
      ['VideoFrame', videoFrames[0]!],
      ['<canvas>', drawnCanvas(good, good.width, good.height)],
      ['<video>', video],
      ['OffscreenCanvas', offscreen],
      ['VideoFrame', videoFrames[1]!],
      ['ImageBitmap', good],
    ];
    try {
      const mark = watch.mark();
      const settled = await Promise.allSettled(batch.map(([, f]) => frames.segment(f)));
      // Bitmaps: the batch's, all made and closed by now; copies: each frame's own (a frame passed twice counts both).
      const seen = batch.map(([, f]) => watch.since(mark, f));
      const afterDiff = maxDiff((await frames.segment(good)).probability, reference);
      settled.forEach((s, i) => {
        const name = `${maxInFlight} in flight${firefox ? ' (Firefox)' : ''}: ${batch[i]![0]} #${i + 1}`;
        const r: FrameCaseResult = { name, index: i + 1, inFlight: frames.inFlight, afterDiff, ...seen[i]! };
        if (s.status === 'fulfilled') r.mapDiff = maxDiff(s.value.probability, reference);
        else r.error = s.reason instanceof Error ? s.reason.message : String(s.reason);
        results.push(r);
      });
    } finally {
      for (const f of videoFrames) f.close();
    }
  });
}
