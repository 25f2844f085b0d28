// Browser frames the GPU copy refuses, or that change while they wait for a slot, through one FrameSegmenter
// with a single slot (a frame that kept it busy would hang the next). Each case is followed by a good frame
// (an ImageBitmap of the clip), whose map must equal the first good frame's: a failed frame neither holds its
// slot nor leaves anything behind. Cases that should succeed (a ready <video>, a VideoFrame) are compared with
// that bitmap's map: the same picture. Then the ImageBitmap way round as Firefox, and frames in flight
// together (frame-fallback.ts).
import { loadFrameSegmenter } from '../../../src/browser.js';
import type { FrameCaseResult, FrameCaseUrls } from '../support/wire.js';
import { CaseRunner } from './case-runner.js';
import { CopyWatch } from './copy-watch.js';
import { fallbackCases, noBitmap } from './frame-fallback.js';
import { drawnCanvas, event, loadImage, loadVideo, metadataOnly } from './media.js';

export async function frameCases(weightsUrl: string, size: number, urls: FrameCaseUrls): Promise<FrameCaseResult[]> {
  const watch = new CopyWatch();
  try {
    return await chromiumCases(weightsUrl, size, urls, watch);
  } finally {
    watch.stop();
  }
}

async function chromiumCases(weightsUrl: string, size: number, urls: FrameCaseUrls, watch: CopyWatch): Promise<FrameCaseResult[]> {
  const frames = await loadFrameSegmenter(weightsUrl, { size, maxInFlight: 1 });
  const video = await loadVideo(urls.clip);
  const early = await metadataOnly(urls.clip);
  const good = await createImageBitmap(video);
  const results: FrameCaseResult[] = [];
  try {
    const runner = await new CaseRunner(frames, good, watch, results).start();
    const run = runner.run.bind(runner);

    // A ready <video> and a VideoFrame of it: this Chromium cannot copy either to WebGPU directly; the engine
    // goes through an ImageBitmap of the same picture (twice: the second time it knows to).
    await run('<video>', () => video);
    await run('<video> again', () => video);
    const videoFrame = new VideoFrame(video, { timestamp: 0 });
    await run('VideoFrame', () => videoFrame);
    videoFrame.close();

    // No picture: a <video> with only its metadata, and one seeking.
    await run('<video> with metadata only', () => early);
    const seeked = event(video, 'seeked');
    await run('<video> seeking', () => {
      video.currentTime = 0.55;
      return video;
    });
    await seeked;

    // Closed before segment(), and closed while waiting for the slot.
    await run('VideoFrame closed', () => {
      const vf = new VideoFrame(video, { timestamp: 0 });
      vf.close();
      return vf;
    });
    const open = new VideoFrame(video, { timestamp: 0 });
    await run(
      'VideoFrame closed after segment()',
      () => open,
      () => open.close(),
    );
    const closedBitmap = await createImageBitmap(good);
    closedBitmap.close();
    await run('ImageBitmap closed', () => closedBitmap);

    // A canvas that changes size while it waits: smaller (the copy would be out of bounds), larger (it would be cropped).
    const shrinking = drawnCanvas(good, good.width, good.height);
    await run(
      '<canvas> shrunk after segment()',
      () => shrinking,
      () => (shrinking.width = good.width / 2),
    );
    const growing = drawnCanvas(good, good.width, good.height);
    await run(
      '<canvas> grown after segment()',
      () => growing,
      () => {
        growing.width = 2 * good.width;
        growing.height = 2 * good.height;
        growing.getContext('2d')!.drawImage(good, 0, 0, growing.width, growing.height);
      },
    );

    // Cross-origin pixels (served without CORS): a canvas they were drawn on, an OffscreenCanvas, a <video>.
    const foreign = await loadImage(urls.crossOriginImage);
    await run('tainted <canvas>', () => drawnCanvas(foreign, 40, 30));
    await run('tainted OffscreenCanvas', () => {
      const c = new OffscreenCanvas(40, 30);
      c.getContext('2d')!.drawImage(foreign, 0, 0, 40, 30);
      return c;
    });
    const foreignVideo = await loadVideo(urls.crossOriginClip);
    await run('cross-origin <video>', () => foreignVideo);
    // As a browser that could not make an ImageBitmap of it this time: the copy of the video itself says why.
    watch.bitmapFailures.push(noBitmap());
    await run('cross-origin <video>, and no ImageBitmap of it', () => foreignVideo);
    watch.bitmapFailures.length = 0;

    // A canvas handed to an OffscreenCanvas, and one nothing was ever drawn on (no context).
    await run('<canvas> after transferControlToOffscreen()', () => {
      const c = document.createElement('canvas');
      c.width = 40;
      c.height = 30;
      c.transferControlToOffscreen();
      return c;
    });
    await run('<canvas> without a context', () => {
      const c = document.createElement('canvas');
      c.width = 40;
      c.height = 30;
      return c;
    });

    // A browser that reports an unusable source as a validation error (as the WebGPU spec allows) instead of
    // throwing: the copy goes nowhere, the frame's texture keeps the previous frame.
    await run('copy reported as a validation error', () => {
      const queue = frames.gpu.device.queue;
      const copy = queue.copyExternalImageToTexture.bind(queue);
      const nowhere = frames.gpu.device.createTexture({ size: [good.width, good.height], format: 'rgba8unorm', usage: GPUTextureUsage.COPY_DST });
      queue.copyExternalImageToTexture = (source, destination, copySize) => {
        delete (queue as Partial<GPUQueue>).copyExternalImageToTexture; // once
        copy(source, { ...destination, texture: nowhere }, copySize);
      };
      return good;
    });
    await fallbackCases(weightsUrl, size, urls.clip, good, watch, results);
    return results;
  } finally {
    good.close();
    await frames.dispose();
  }
}
