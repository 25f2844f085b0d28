// Browser frames the GPU copy refuses, or that change while they wait for a slot, through one FrameSegmenter
// with a single slot (a frame that kept it busy would hang the next). Each case is followed by a good frame
// (an ImageBitmap of the clip), whose map must equal the first good frame's: a failed frame neither holds its
// slot nor leaves anything behind. Cases that should succeed (a ready <video>, a VideoFrame) are compared with
// that bitmap's map: the same picture.
import { loadFrameSegmenter, type FrameInput } from '../../../src/browser.js';
import type { FrameCaseResult, FrameCaseUrls } from '../support/wire.js';

const event = (target: EventTarget, name: string) => new Promise<void>((resolve) => target.addEventListener(name, () => resolve(), { once: true }));

async function loadVideo(src: string): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  const ready = Promise.race([
    event(video, 'loadeddata'),
    event(video, 'error').then(() => Promise.reject(new Error(`the test video ${src} did not load: ${video.error?.message}`))),
  ]);
  video.src = src;
  await ready;
  return video;
}

/**
 * A <video> that stays at HAVE_METADATA: fed through Media Source Extensions with the clip's header only
 * (everything before its first Cluster), so it knows its size but never gets a picture.
 */
async function metadataOnly(src: string): Promise<HTMLVideoElement> {
  const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
  const cluster = bytes.findIndex((b, i) => b === 0x1f && bytes[i + 1] === 0x43 && bytes[i + 2] === 0xb6 && bytes[i + 3] === 0x75);
  if (cluster < 0) throw new Error(`${src} has no WebM Cluster`);
  const source = new MediaSource();
  const video = document.createElement('video');
  video.muted = true;
  const opened = event(source, 'sourceopen');
  video.src = URL.createObjectURL(source);
  await opened;
  const metadata = event(video, 'loadedmetadata');
  source.addSourceBuffer('video/webm; codecs="vp8"').appendBuffer(bytes.subarray(0, cluster));
  await metadata;
  return video;
}

async function loadImage(src: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = src;
  await img.decode();
  return img;
}

function drawnCanvas(source: CanvasImageSource, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.drawImage(source, 0, 0, width, height);
  return canvas;
}

const maxDiff = (a: Float32Array, b: Float32Array) => (a.length !== b.length ? Infinity : a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0));

export async function frameCases(weightsUrl: string, size: number, urls: FrameCaseUrls): Promise<FrameCaseResult[]> {
  const frames = await loadFrameSegmenter(weightsUrl, { size, maxInFlight: 1 });
  const video = await loadVideo(urls.clip);
  const early = await metadataOnly(urls.clip);
  const good = await createImageBitmap(video);
  const results: FrameCaseResult[] = [];
  let next = 0;
  let reference: Float32Array | undefined;
  const goodMap = async () => (await frames.segment(good)).probability;
  try {
    reference = await goodMap();
    next++;
    /** Segments `frame` (`meanwhile` runs once it waits for the slot, which a good frame holds), then a good frame. */
    const run = async (name: string, frame: () => FrameInput, meanwhile?: () => void): Promise<void> => {
      const result: FrameCaseResult = { name, index: -1, afterDiff: NaN, inFlight: -1 };
      const holder = meanwhile ? goodMap() : undefined;
      const f = frame();
      if (f instanceof HTMLVideoElement) result.readyState = f.readyState;
      result.index = next + (holder ? 1 : 0);
      next += holder ? 2 : 1;
      const pending = frames.segment(f);
      meanwhile?.();
      await holder;
      try {
        result.mapDiff = maxDiff((await pending).probability, reference!);
      } catch (err) {
        result.error = err instanceof Error || err instanceof DOMException ? err.message : String(err);
        result.domException = err instanceof DOMException;
        const cause = (err as { cause?: unknown }).cause;
        if (cause instanceof Error || cause instanceof DOMException) result.cause = cause.name;
      }
      result.inFlight = frames.inFlight;
      result.afterDiff = maxDiff(await goodMap(), reference!);
      next++;
      results.push(result);
    };

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
    return results;
  } finally {
    good.close();
    await frames.dispose();
  }
}
