// The demo page: load the model (with download progress), segment a chosen, dropped or sample image, show it
// with the polyp tinted and outlined, re-threshold without re-running the network, and time every stage.
// document.body.dataset.state tells scripts (and the browser tests) where the page is:
// loading -> ready -> running -> done, or no-webgpu / error.
import {
  DEFAULT_WEIGHTS_FILE,
  describeConfig,
  drawOverlay,
  imageToRgba,
  loadSegmenter,
  NoWebGpuError,
  WeightsLoadError,
  type RgbaImage,
  type Segmentation,
  type Segmenter,
  type SegmentTimings,
  methodText,
  type ProfileSummary,
} from '../src/browser.js';

const SAMPLE_URL = 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg';

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
  modelInfo: element<HTMLElement>('model-info'),
  adapter: element<HTMLElement>('adapter'),
  file: element<HTMLInputElement>('file'),
  sample: element<HTMLButtonElement>('sample'),
  output: element<HTMLElement>('output'),
  resultStatus: element<HTMLElement>('result-status'),
  canvas: element<HTMLCanvasElement>('result'),
  threshold: element<HTMLInputElement>('threshold'),
  thresholdValue: element<HTMLOutputElement>('threshold-value'),
  area: element<HTMLElement>('area'),
  timings: element<HTMLTableElement>('timings'),
  profile: element<HTMLButtonElement>('profile'),
  profileResult: element<HTMLElement>('profile-result'),
  profileMethod: element<HTMLElement>('profile-method'),
  profileStages: element<HTMLTableElement>('profile-stages'),
  profileKernels: element<HTMLTableElement>('profile-kernels'),
};

type PageState = 'loading' | 'ready' | 'running' | 'done' | 'no-webgpu' | 'error';
const setState = (s: PageState) => {
  document.body.dataset.state = s;
};

function showMessage(title: string, detail: string, kind: 'error' | 'info' = 'error'): void {
  ui.messageTitle.textContent = title;
  ui.messageDetail.textContent = detail;
  ui.message.classList.toggle('info', kind === 'info');
  ui.message.hidden = false;
}

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

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

function explainLoadFailure(err: unknown): void {
  if (err instanceof NoWebGpuError) {
    setState('no-webgpu');
    showMessage(
      'This browser has no WebGPU, which the segmentation needs',
      `${err.message}\n\nUse a current Chrome or Edge (113 or newer), Safari 26, or Firefox 141 or newer on Windows; ` +
        'on Linux, Chrome may need WebGPU enabled at chrome://flags/#enable-unsafe-webgpu. The page must be opened over https or from localhost.',
    );
    ui.modelStatus.textContent = 'No WebGPU: the model was not loaded.';
  } else if (err instanceof WeightsLoadError) {
    setState('error');
    showMessage(
      usingDefault ? `The default model ${weightsUrl} could not be loaded` : `The model ${weightsUrl} could not be loaded`,
      `${err.message}\n\n` +
        (usingDefault
          ? 'The shipped model may not have been trained or installed yet. Put the file in the weights/ folder ' +
            '(npx pranet convert makes one from a PraNet checkpoint), or open this page with ?weights=URL of a .pnw, .pth or .safetensors file.'
          : 'Check the ?weights= URL: it must name a .pnw, .pth or .safetensors file of PraNet that this server can send.'),
    );
    ui.modelStatus.textContent = 'The model could not be loaded.';
  } else {
    setState('error');
    showMessage('The model could not be prepared', errorText(err));
    ui.modelStatus.textContent = 'The model could not be prepared.';
  }
  ui.progress.hidden = true;
  ui.file.disabled = true;
  ui.sample.disabled = true;
}

async function loadModel(): Promise<Segmenter | undefined> {
  ui.modelStatus.textContent = `Loading the model ${weightsUrl}…`;
  const t0 = performance.now();
  try {
    const segmenter = await loadSegmenter(weightsUrl, { size: inputSize(), onProgress });
    const a = segmenter.gpu.adapter;
    const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'an unnamed adapter';
    ui.adapter.textContent = `GPU: ${name} (${a.featureLevel}${a.isFallbackAdapter ? ', software fallback adapter' : ''})`;
    ui.modelInfo.textContent = `Model ${segmenter.source}: ${describeConfig(segmenter.config)}; input ${inputSize()} x ${inputSize()}`;
    ui.modelStatus.textContent = `Model ready in ${((performance.now() - t0) / 1000).toFixed(1)} s. Choose an image.`;
    ui.progress.hidden = true;
    setState('ready');
    return segmenter;
  } catch (err) {
    explainLoadFailure(err);
    return undefined;
  }
}

const segmenterReady = loadModel();

// ---- one image ----

interface Shown {
  name: string;
  image: RgbaImage;
  result: Segmentation;
}
let shown: Shown | undefined;
let runs = 0;

function threshold(): number {
  return Number(ui.threshold.value);
}

/** Draws the overlay at the slider's threshold; returns the milliseconds it took. */
function render(): number {
  if (!shown) return 0;
  const t0 = performance.now();
  const t = threshold();
  const { image, result } = shown;
  const overlay = drawOverlay(image, result.probability, t);
  ui.canvas.width = image.width;
  ui.canvas.height = image.height;
  const ctx = ui.canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a 2D canvas');
  ctx.putImageData(
    new ImageData(new Uint8ClampedArray(overlay.data.buffer as ArrayBuffer, overlay.data.byteOffset, overlay.data.length), image.width, image.height),
    0,
    0,
  );
  let inside = 0;
  for (const p of result.probability) if (p >= t) inside++;
  ui.thresholdValue.textContent = t.toFixed(2);
  const highest = `highest probability ${result.maxProbability.toFixed(2)}`;
  ui.area.textContent =
    inside === 0
      ? `No polyp found at threshold ${t.toFixed(2)} (${highest}).`
      : `Predicted polyp at threshold ${t.toFixed(2)}: ${((100 * inside) / result.probability.length).toFixed(1)}% of the image (${inside} pixels; ${highest}).`;
  return performance.now() - t0;
}

function showTimings(decodeMs: number, t: SegmentTimings, overlayMs: number): void {
  const rows: [string, number][] = [
    ['decode (browser)', decodeMs],
    ['pre-process (resize, normalise; CPU)', t.preprocessMs],
    ['upload', t.uploadMs],
    ['network (GPU)', t.networkMs],
    ['read-back', t.readbackMs],
    ['post-process (resize, sigmoid, min-max; GPU)', t.postprocessMs],
    ['overlay', overlayMs],
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

async function segment(name: string, source: Blob): Promise<void> {
  const segmenter = await segmenterReady;
  if (!segmenter) return;
  setState('running');
  ui.message.hidden = true;
  ui.output.hidden = false;
  ui.resultStatus.textContent = `Segmenting ${name}…`;
  try {
    const t0 = performance.now();
    const image = await imageToRgba(source);
    const decodeMs = performance.now() - t0;
    const result = await segmenter.segment(image);
    document.body.dataset.runs = String(++runs);
    shown = { name, image, result };
    ui.threshold.disabled = false;
    const overlayMs = render();
    showTimings(decodeMs, segmenter.lastTimings, overlayMs);
    ui.resultStatus.textContent = `${name}: ${image.width} x ${image.height}`;
    setState('done');
  } catch (err) {
    ui.resultStatus.textContent = '';
    showMessage(`Could not segment ${name}`, errorText(err));
    setState('error');
  }
}

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
    const segmenter = await segmenterReady;
    if (!segmenter) return;
    ui.profile.disabled = true;
    try {
      showProfile(await segmenter.profile());
      document.body.dataset.profiled = 'yes';
    } catch (err) {
      showMessage('Could not profile the network', errorText(err));
    } finally {
      ui.profile.disabled = false;
    }
  });
});

// One image at a time: a choice made while one runs waits for it.
let queue = Promise.resolve();
const enqueue = (name: string, source: () => Promise<Blob>) => {
  queue = queue.then(async () => {
    let blob: Blob;
    try {
      blob = await source();
    } catch (err) {
      showMessage(`Could not open ${name}`, errorText(err));
      return;
    }
    await segment(name, blob);
  });
};

ui.file.addEventListener('change', () => {
  const file = ui.file.files?.[0];
  if (file) enqueue(file.name, () => Promise.resolve(file));
});

ui.sample.addEventListener('click', () => {
  enqueue('the sample image', async () => {
    const res = await fetch(SAMPLE_URL);
    if (!res.ok) throw new Error(`${SAMPLE_URL}: HTTP ${res.status} ${res.statusText}`);
    return res.blob();
  });
});

ui.threshold.disabled = true;
ui.threshold.addEventListener('input', () => {
  render();
});

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
  if (file) enqueue(file.name, () => Promise.resolve(file));
});
