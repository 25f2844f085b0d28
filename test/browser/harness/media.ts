// The frame cases' media, made in the page: a <video> of the clip, one that never gets past its metadata, an
// image, a canvas with a picture drawn on it.

export const event = (target: EventTarget, name: string) => new Promise<void>((resolve) => target.addEventListener(name, () => resolve(), { once: true }));

export async function loadVideo(src: string): Promise<HTMLVideoElement> {
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
export async function metadataOnly(src: string): Promise<HTMLVideoElement> {
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

export async function loadImage(src: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = src;
  await img.decode();
  return img;
}

export function drawnCanvas(source: CanvasImageSource, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.drawImage(source, 0, 0, width, height);
  return canvas;
}
