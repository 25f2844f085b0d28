// The demo page: load the model (with download progress), segment a chosen, dropped or sample image, show it
// beside the result (the polyp tinted and outlined, or a heat map of the probability), re-threshold without
// re-running the network, download the mask and the overlay, time every stage, profile, and tune the conv
// tilings for this GPU. document.body.dataset.state tells scripts (and the browser tests) where the page is:
// loading -> ready -> running -> done (and tuning, from ready or done, back to either), or no-webgpu / error.
import {
  binarize,
  DEFAULT_WEIGHTS_FILE,
  describeConfig,
  drawOverlay,
  imageToRgba,
  loadSegmenter,
  NoWebGpuError,
  tuneThisDevice,
  WeightsLoadError,
  type RgbaImage,
  type Segmentation,
  type Segmenter,
  type SegmentTimings,
  methodText,
  type ProfileSummary,
} from '../src/browser.js';
import { adapterClass } from '../src/kernels/tiling-policy.js';
import { drawHeatMap, HEAT_STOPS } from './heatmap.js';
import { isVideoFile, VideoDemo } from './video.js';

const SAMPLE_URL = 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg';
const DEFAULT_THRESHOLD = '0.5';
const FORMATS = 'a .pnw (this engine’s format), .pth or .safetensors file of PraNet';

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

const ui = {
  message: element<HTMLElement>('message'),
  messageTitle: element<HTMLElement>('message-title'),
  messageDetail: element<HTMLElement>('message-detail'),
  modelStatus: element<HTMLElement>('model-status'),
  progress: element<HTMLProgressElement>('weights-progress'),
  modelReady: element<HTMLElement>('model-ready'),
  modelInfo: element<HTMLElement>('model-info'),
  adapter: element<HTMLElement>('adapter'),
  detailSource: element<HTMLElement>('detail-source'),
  detailArchitecture: element<HTMLElement>('detail-architecture'),
  detailInput: element<HTMLElement>('detail-input'),
  detailAdapter: element<HTMLElement>('detail-adapter'),
  tiling: element<HTMLElement>('tiling'),
  tune: element<HTMLButtonElement>('tune'),
  tuneNote: element<HTMLElement>('tune-note'),
  tuneQuick: element<HTMLInputElement>('tune-quick'),
  tuneStatus: element<HTMLElement>('tune-status'),
  tuneProgress: element<HTMLProgressElement>('tune-progress'),
  tuneText: element<HTMLElement>('tune-text'),
  file: element<HTMLInputElement>('file'),
  sample: element<HTMLButtonElement>('sample'),
  output: element<HTMLElement>('output'),
  busy: element<HTMLElement>('busy'),
  resultStatus: element<HTMLElement>('result-status'),
  resultBody: element<HTMLElement>('result-body'),
  viewOverlay: element<HTMLInputElement>('view-overlay'),
  viewHeatmap: element<HTMLInputElement>('view-heatmap'),
  original: element<HTMLCanvasElement>('original'),
  canvas: element<HTMLCanvasElement>('result'),
  caption: element<HTMLElement>('result-caption'),
  legend: element<HTMLElement>('legend'),
  legendRamp: element<HTMLElement>('legend-ramp'),
  threshold: element<HTMLInputElement>('threshold'),
  thresholdValue: element<HTMLOutputElement>('threshold-value'),
  area: element<HTMLElement>('area'),
  downloadMask: element<HTMLButtonElement>('download-mask'),
  downloadOverlay: element<HTMLButtonElement>('download-overlay'),
  downloadNote: element<HTMLElement>('download-note'),
  timings: element<HTMLTableElement>('timings'),
  profile: element<HTMLButtonElement>('profile'),
  profileResult: element<HTMLElement>('profile-result'),
  profileMethod: element<HTMLElement>('profile-method'),
  profileStages: element<HTMLTableElement>('profile-stages'),
  profileKernels: element<HTMLTableElement>('profile-kernels'),
};

type PageState = 'loading' | 'ready' | 'running' | 'done' | 'tuning' | 'no-webgpu' | 'error';
const setState = (s: PageState) => {
  document.body.dataset.state = s;
};

function showMessage(title: string, detail: string): void {
  ui.messageTitle.textContent = title;
  ui.messageDetail.textContent = detail;
  ui.message.hidden = false;
}

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface Shown {
  /** what the page calls the image */
  name: string;
  /** the start of the download file names */
  stem: string;
  image: RgbaImage;
  result: Segmentation;
}

let segmenter: Segmenter | undefined;
let shown: Shown | undefined;
/** true while the model loads, an image is segmented, the network is profiled or tuned */
let busy = true;
/** One task at a time (segment, profile, tune): one started while another runs waits for it. */
let queue = Promise.resolve();

/** Enables what can be used now: nothing while busy, the image inputs once a model is loaded, the result's controls while one is shown. */
/** The control that had the focus when it was disabled: it gets it back when enabled again (keyboard users). */
let focusToRestore: HTMLElement | undefined;

function updateControls(): void {
  const focused = document.activeElement;
  // A video or camera can run beside a still image, but not while the model loads or the network is tuned.
  video.setEnabled(segmenter !== undefined && document.body.dataset.state !== 'tuning');
  const free = !busy && segmenter !== undefined;
  for (const c of [ui.file, ui.sample, ui.tune, ui.tuneQuick]) c.disabled = !free;
  for (const c of [ui.threshold, ui.viewOverlay, ui.viewHeatmap, ui.downloadMask, ui.downloadOverlay, ui.profile]) c.disabled = !free || !shown;
  ui.busy.hidden = !busy;
  ui.output.setAttribute('aria-busy', String(busy));
  if (focused instanceof HTMLButtonElement && focused.disabled) focusToRestore = focused;
  else if (focusToRestore && !(focusToRestore as HTMLButtonElement).disabled) {
    if (document.activeElement === document.body) focusToRestore.focus();
    focusToRestore = undefined;
  }
}

// ---- the model ----

const params = new URLSearchParams(location.search);
const weightsUrl = params.get('weights') || DEFAULT_WEIGHTS_FILE;
const usingDefault = !params.get('weights');

/** ?size=N runs the network at N x N (a multiple of 32; the models are trained at 352). */
function inputSize(): number {
  const text = params.get('size');
  if (text === null) return 352;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 32 || size > 1024 || size % 32 !== 0) throw new Error(`?size=${text}: expected a multiple of 32 from 32 to 1024`);
  return size;
}

function onProgress(loaded: number, total: number | undefined): void {
  if (total) {
    ui.progress.value = loaded / total;
    ui.modelStatus.textContent = `Downloading the model ${weightsUrl}: ${MB(loaded)} of ${MB(total)} (${Math.round((100 * loaded) / total)}%)`;
  } else {
    ui.progress.removeAttribute('value'); // indeterminate: the server sent no length
    ui.modelStatus.textContent = `Downloading the model ${weightsUrl}: ${MB(loaded)}`;
  }
  if (total !== undefined && loaded >= total) ui.modelStatus.textContent = `Downloaded ${MB(loaded)}; preparing the network for this GPU…`;
}

/**
 * Why a weights URL on another origin could not be fetched. A browser hides the reason from the page (fetch
 * rejects with a bare TypeError either way), so two HEAD requests tell: one that may read the answer fails
 * and one that may not succeeds when the server answers but does not allow this origin (CORS); both fail
 * when the server cannot be reached. undefined when the server does allow this page: the error lies elsewhere.
 */
async function crossOriginFailure(url: URL): Promise<'cors' | 'unreachable' | undefined> {
  const answers = (mode: RequestMode) =>
    fetch(url, { method: 'HEAD', mode, cache: 'no-store' }).then(
      () => true,
      () => false,
    );
  if (await answers('cors')) return undefined;
  return (await answers('no-cors')) ? 'cors' : 'unreachable';
}

async function explainLoadFailure(err: unknown): Promise<void> {
  ui.progress.hidden = true;
  if (err instanceof NoWebGpuError) {
    setState('no-webgpu');
    showMessage(
      'This browser has no WebGPU, which the segmentation needs',
      `${err.message}\n\nUse a current Chrome or Edge (113 or newer), Safari 26, or Firefox 141 or newer on Windows; ` +
        'on Linux, Chrome may need WebGPU enabled at chrome://flags/#enable-unsafe-webgpu. The page must be opened over https or from localhost.',
    );
    ui.modelStatus.textContent = 'No WebGPU: the model was not loaded.';
    return;
  }
  ui.modelStatus.textContent = 'The model could not be loaded.';
  // 'error' only once the message says why: the cross-origin check takes requests.
  await explainWeightsFailure(err);
  setState('error');
}

async function explainWeightsFailure(err: unknown): Promise<void> {
  if (!(err instanceof WeightsLoadError)) {
    showMessage('The model could not be prepared', errorText(err));
    return;
  }
  const url = URL.canParse(weightsUrl, location.href) ? new URL(weightsUrl, location.href) : undefined;
  const why = !url || url.origin === location.origin ? undefined : await crossOriginFailure(url);
  if (url && why === 'cors') {
    showMessage(
      `The model ${url.href} could not be loaded: blocked by CORS`,
      `${err.message}\n\nThe server ${url.origin} answered, but the browser would not let this page (${location.origin}) read the file: that server ` +
        'does not allow other origins (it sends no Access-Control-Allow-Origin header for this page). Put the file on the server of this page, ' +
        `or have ${url.origin} allow ${location.origin}. The file must be ${FORMATS}.`,
    );
  } else if (url && why === 'unreachable') {
    showMessage(
      `The model ${url.href} could not be loaded: the server could not be reached`,
      `${err.message}\n\nNo answer came from ${url.origin}. Check the ?weights= URL: it must name ${FORMATS} that the server sends to other origins (CORS).`,
    );
  } else {
    showMessage(
      usingDefault ? `The default model ${weightsUrl} could not be loaded` : `The model ${weightsUrl} could not be loaded`,
      `${err.message}\n\n` +
        (usingDefault
          ? 'The shipped model may not have been trained or installed yet. Put the file in the weights/ folder ' +
            `(npx pranet convert makes one from a PraNet checkpoint), or open this page with ?weights=URL of ${FORMATS}.`
          : `Check the ?weights= URL: it must name ${FORMATS} that this server can send.`),
    );
  }
}

/** Says in plain words what runs where; the numbers go in the details. */
function describeModel(s: Segmenter): void {
  const a = s.gpu.adapter;
  const name = a.description || [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'an unnamed adapter';
  const cls = adapterClass(a);
  ui.modelInfo.textContent = usingDefault
    ? `Model: the built-in PraNet (${weightsUrl}), a compact version trained by this project on the Kvasir-SEG colonoscopy images. It gives every pixel a probability of being polyp.`
    : `Model: PraNet weights from ${weightsUrl} (given with ?weights=). It gives every pixel a probability of being polyp.`;
  ui.adapter.textContent = {
    software: `Runs on ${name}, a software adapter: the graphics work is done by the processor, so each image takes seconds.`,
    integrated: `Runs on ${name}, a graphics processor built into this computer.`,
    discrete: `Runs on ${name}, a graphics card.`,
  }[cls];
  ui.tuneNote.textContent =
    cls === 'software'
      ? 'Measures which kernel tilings run this model fastest here and keeps them in this browser. On this software adapter it can take several minutes.'
      : 'Measures which kernel tilings run this model fastest on this GPU and keeps them in this browser. Usually seconds; a software adapter can take several minutes.';
  ui.detailSource.textContent = s.source;
  ui.detailArchitecture.textContent = describeConfig(s.config);
  ui.detailInput.textContent = `${inputSize()} x ${inputSize()} pixels (each image is resized to it, and the result back to the image's size)`;
  ui.detailAdapter.textContent = `${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unnamed'} (${a.featureLevel}${a.isFallbackAdapter ? ', software fallback adapter' : ''})`;
  ui.tiling.textContent = s.tilingDescription;
}

async function loadModel(): Promise<void> {
  ui.modelStatus.textContent = `Loading the model ${weightsUrl}…`;
  const t0 = performance.now();
  try {
    segmenter = await loadSegmenter(weightsUrl, { size: inputSize(), onProgress });
    describeModel(segmenter);
    ui.modelReady.hidden = false;
    ui.modelStatus.textContent = `Model ready in ${((performance.now() - t0) / 1000).toFixed(1)} s. Choose an image.`;
    ui.progress.hidden = true;
    setState('ready');
  } catch (err) {
    await explainLoadFailure(err);
  } finally {
    busy = false;
    updateControls();
  }
}

// ---- video files and cameras (video.ts) ----

const video = new VideoDemo({
  weightsUrl,
  size: inputSize,
  showMessage,
  hideMessage: () => {
    ui.message.hidden = true;
  },
});

updateControls();
queue = loadModel();

// ---- one image ----

function threshold(): number {
  return Number(ui.threshold.value);
}

/** Puts RGBA pixels on a canvas, sized to them. */
function paint(canvas: HTMLCanvasElement, width: number, height: number, data: Uint8Array | Uint8ClampedArray): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a 2D canvas');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(data.buffer as ArrayBuffer, data.byteOffset, data.length), width, height), 0, 0);
}

/** The mask at threshold t as opaque RGBA: white (255) where the probability reaches t, black elsewhere. */
function maskPixels(probability: Float32Array, t: number): Uint8ClampedArray {
  const bits = binarize(probability, t);
  const out = new Uint8ClampedArray(bits.length * 4);
  for (let i = 0; i < bits.length; i++) {
    out.fill(bits[i]! * 255, 4 * i, 4 * i + 3);
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Draws the chosen view at the slider's threshold and says what it shows; returns the milliseconds it took. */
function render(): number {
  if (!shown) return 0;
  const t0 = performance.now();
  const t = threshold();
  const { name, image, result } = shown;
  const heat = ui.viewHeatmap.checked;
  paint(ui.canvas, image.width, image.height, heat ? drawHeatMap(result.probability) : drawOverlay(image, result.probability, t).data);
  const describe = heat
    ? `Heat map of the probability of polyp in ${name}: dark is 0, pale yellow is 1`
    : `${name} with the pixels whose probability reaches ${t.toFixed(2)} tinted green and outlined in yellow`;
  ui.canvas.setAttribute('aria-label', describe);
  ui.caption.textContent = heat ? 'Probability heat map' : `Region at threshold ${t.toFixed(2)}`;
  ui.legend.hidden = !heat;
  let inside = 0;
  for (const p of result.probability) if (p >= t) inside++;
  ui.thresholdValue.textContent = t.toFixed(2);
  const highest = `highest probability ${result.maxProbability.toFixed(2)}`;
  ui.area.textContent =
    inside === 0
      ? `No polyp found at threshold ${t.toFixed(2)} (${highest}).`
      : `Predicted polyp at threshold ${t.toFixed(2)}: ${((100 * inside) / result.probability.length).toFixed(1)}% of the image (${inside} pixels; ${highest}).`;
  ui.downloadNote.textContent =
    `Both PNGs are ${image.width} x ${image.height}, like the image. The mask is the threshold's: white (255) where the probability ` +
    `reaches ${t.toFixed(2)}, black (0) elsewhere (not PraNet's min-max map). The overlay is the outlined view at that threshold.`;
  return performance.now() - t0;
}

function showTimings(decodeMs: number, t: SegmentTimings, drawMs: number): void {
  const rows: [string, number][] = [
    ['decode (browser)', decodeMs],
    ['pre-process (resize, normalise; CPU)', t.preprocessMs],
    ['upload', t.uploadMs],
    ['network (GPU)', t.networkMs],
    ['read-back', t.readbackMs],
    ['post-process (resize, sigmoid, min-max; GPU)', t.postprocessMs],
    ['drawing the result', drawMs],
  ];
  const body = document.createElement('tbody');
  const add = (label: string, ms: number, cls = '') => {
    const tr = body.insertRow();
    tr.className = cls;
    tr.insertCell().textContent = label;
    const cell = tr.insertCell();
    cell.className = 'ms';
    cell.textContent = `${ms.toFixed(1)} ms`;
  };
  for (const [label, ms] of rows) add(label, ms);
  add(
    'total',
    rows.reduce((s, [, ms]) => s + ms, 0),
    'total',
  );
  ui.timings.replaceChildren(body);
}

/** Forgets the shown image, so that an error is never shown above a previous image's result. */
function clearResult(): void {
  shown = undefined;
  for (const c of [ui.original, ui.canvas]) c.width = c.height = 1;
  ui.resultBody.hidden = true;
  ui.output.hidden = true;
}

async function segment(name: string, stem: string, source: () => Promise<Blob>): Promise<void> {
  if (!segmenter) return;
  busy = true;
  setState('running');
  updateControls();
  ui.message.hidden = true;
  ui.output.hidden = false;
  ui.resultStatus.textContent = `Segmenting ${name}…`;
  let step = `open ${name}`;
  try {
    const blob = await source();
    step = `read ${name} as an image`;
    const t0 = performance.now();
    const image = await imageToRgba(blob);
    const decodeMs = performance.now() - t0;
    step = `segment ${name}`;
    const result = await segmenter.segment(image);
    document.body.dataset.runs = String(Number(document.body.dataset.runs ?? 0) + 1);
    shown = { name, stem, image, result };
    ui.threshold.value = DEFAULT_THRESHOLD;
    paint(ui.original, image.width, image.height, image.data);
    ui.original.setAttribute('aria-label', `${name} as it was given`);
    ui.resultBody.hidden = false;
    const drawMs = render();
    showTimings(decodeMs, segmenter.lastTimings, drawMs);
    ui.resultStatus.textContent = `${name}: ${image.width} x ${image.height}`;
    setState('done');
  } catch (err) {
    clearResult();
    showMessage(`Could not ${step}`, errorText(err));
    setState('error');
  } finally {
    busy = false;
    updateControls();
  }
}

const enqueue = (name: string, stem: string, source: () => Promise<Blob>) => {
  queue = queue.then(() => segment(name, stem, source));
};

const fileStem = (name: string) => name.replace(/\.[^.]*$/, '') || name;

ui.file.addEventListener('change', () => {
  const file = ui.file.files?.[0];
  ui.file.value = ''; // choosing the same file again must fire 'change' again
  if (file) enqueue(file.name, fileStem(file.name), () => Promise.resolve(file));
});

ui.sample.addEventListener('click', () => {
  enqueue('the sample image', fileStem(SAMPLE_URL.split('/').pop()!), async () => {
    const res = await fetch(SAMPLE_URL);
    if (!res.ok) throw new Error(`${SAMPLE_URL}: HTTP ${res.status} ${res.statusText}`);
    return res.blob();
  });
});

ui.threshold.addEventListener('input', () => {
  render();
});
for (const radio of [ui.viewOverlay, ui.viewHeatmap]) radio.addEventListener('change', () => render());
ui.legendRamp.style.background = `linear-gradient(to right, ${HEAT_STOPS.join(', ')})`;

// Drop anywhere on the page.
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  if (file && isVideoFile(file)) video.openFile(file);
  else if (file) enqueue(file.name, fileStem(file.name), () => Promise.resolve(file));
});

// ---- downloads ----

/** Saves RGBA pixels as a PNG file named `fileName`, through the browser's download. */
async function downloadPng(fileName: string, width: number, height: number, data: Uint8Array | Uint8ClampedArray): Promise<void> {
  const canvas = document.createElement('canvas');
  paint(canvas, width, height, data);
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error(`this browser could not encode ${fileName} as PNG`))), 'image/png'),
  );
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.click();
  // Revoking at once can cancel a download the browser has not started reading yet.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

function onDownload(button: HTMLButtonElement, kind: 'mask' | 'overlay'): void {
  button.addEventListener('click', () => {
    if (!shown) return;
    const { stem, image, result } = shown;
    const t = threshold();
    const data = kind === 'mask' ? maskPixels(result.probability, t) : drawOverlay(image, result.probability, t).data;
    downloadPng(`${stem}.${kind}-${t.toFixed(2)}.png`, image.width, image.height, data).catch((err: unknown) =>
      showMessage(`Could not save the ${kind}`, errorText(err)),
    );
  });
}
onDownload(ui.downloadMask, 'mask');
onDownload(ui.downloadOverlay, 'overlay');

// ---- profile ----

/** A table from a header row and body rows (text cells; numeric cells right-aligned by class). */
function fillTable(table: HTMLTableElement, header: string[], rows: (string | number)[][]): void {
  const head = document.createElement('thead');
  const hr = head.insertRow();
  for (const h of header) hr.appendChild(document.createElement('th')).textContent = h;
  const body = document.createElement('tbody');
  for (const row of rows) {
    const tr = body.insertRow();
    for (const v of row) {
      const td = tr.insertCell();
      td.textContent = String(v);
      if (typeof v === 'number' || /^[\d.]+( ms| %)?$/.test(String(v))) td.className = 'ms';
    }
  }
  table.replaceChildren(head, body);
}

function showProfile(p: ProfileSummary): void {
  const t = p.totals;
  ui.profileMethod.textContent = `${methodText(p.method)}: ${t.dispatches} dispatches, ${t.ms.toFixed(1)} ms of GPU time, ${(t.flops / 1e9).toFixed(2)} GFLOP at ${t.gflopPerS.toFixed(2)} GFLOP/s.`;
  fillTable(
    ui.profileStages,
    ['stage', 'dispatches', 'time', 'share'],
    p.byStage.map((g) => [g.key, g.dispatches, `${g.ms.toFixed(1)} ms`, `${g.share.toFixed(1)} %`]),
  );
  const slowest = [...p.rows].sort((a, b) => b.ms - a.ms).slice(0, 12);
  fillTable(
    ui.profileKernels,
    ['kernel', 'shapes', 'time', 'GFLOP/s'],
    slowest.map((r) => [r.name, r.shapes, `${r.ms.toFixed(2)} ms`, r.gflopPerS.toFixed(2)]),
  );
  ui.profileResult.hidden = false;
}

ui.profile.addEventListener('click', () => {
  queue = queue.then(async () => {
    if (!segmenter) return;
    busy = true;
    updateControls();
    try {
      showProfile(await segmenter.profile());
      document.body.dataset.profiled = 'yes';
    } catch (err) {
      showMessage('Could not profile the network', errorText(err));
    } finally {
      busy = false;
      updateControls();
    }
  });
});

// ---- tune ----

function onTuneProgress(what: string, done: number, total: number): void {
  ui.tuneProgress.value = done / total;
  ui.tuneText.textContent = what.startsWith('conv ')
    ? `Timing the candidate tilings of convolution ${done + 1} of ${total}…`
    : `Comparing whole forward passes: round ${done} of ${total} done…`;
}

/** Tunes the current model on this GPU, then loads it again so that the stored table is used. */
async function tune(): Promise<void> {
  if (!segmenter) return;
  busy = true;
  setState('tuning');
  updateControls();
  ui.message.hidden = true;
  ui.tuneStatus.hidden = false;
  ui.tuneProgress.value = 0;
  ui.tuneText.textContent = 'Preparing the network for tuning…';
  const t0 = performance.now();
  try {
    await video.unload(); // the video's engine loads again, with the new tilings, when a video is next opened
    // Quick: fewer candidates per convolution and fewer rounds of whole passes, minutes less on a software adapter.
    const quick = ui.tuneQuick.checked ? { maxCandidates: 2, rounds: 2 } : {};
    const tuned = await tuneThisDevice(weightsUrl, { size: inputSize(), onProgress: onTuneProgress, ...quick });
    ui.tuneText.textContent = 'Loading the model again with the new tilings…';
    // The new segmenter comes first, so a failure leaves the current one working.
    const next = await loadSegmenter(weightsUrl, { size: inputSize() });
    const previous = segmenter;
    segmenter = next;
    await previous.dispose();
    describeModel(segmenter);
    ui.modelStatus.textContent = 'Model ready, with the tilings tuned for this GPU. Choose an image.';
    ui.tuneProgress.value = 1;
    // Candidates this GPU's driver refused are left out of the tuning: say how many, and list them in the console.
    const failures = [...tuned.convs.flatMap((c) => c.failed.map((f) => `${c.conv}: ${f.error}`)), ...tuned.skipped.map((f) => `every conv: ${f.error}`)];
    for (const f of failures) console.warn(`tuning left out a tiling that failed on this GPU: ${f}`);
    const refused = failures.length;
    ui.tuneText.textContent =
      `Tuned in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${tuned.convs.length} kinds of convolution measured, ` +
      `and the fastest whole pass was "${tuned.table.chosen}". Saved in ${tuned.where}; the model now uses it (see Details).` +
      (refused ? ` ${refused} candidate tiling(s) failed on this GPU and were left out (listed in the browser's console).` : '');
  } catch (err) {
    ui.tuneStatus.hidden = true;
    showMessage('Could not tune for this GPU', `${errorText(err)}\n\nThe model keeps its previous tilings.`);
  } finally {
    busy = false;
    setState(shown ? 'done' : 'ready');
    updateControls();
  }
}

ui.tune.addEventListener('click', () => {
  queue = queue.then(tune);
});
