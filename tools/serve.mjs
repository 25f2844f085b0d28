// A tiny static file server for the browser demo (`npm run serve`), with no dependencies. It listens on
// 127.0.0.1 only and serves these folders of the repository, refusing any path that leads outside them:
//   /            web/       (index.html, and the bundle under /dist/)
//   /weights/    weights/   (model files, sent as application/octet-stream)
//   /samples/    samples/   (sample images)
// Usage: node tools/serve.mjs [--port N]   (N = 0 picks a free port; default 8080)
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.pnw': 'application/octet-stream',
  '.pth': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
};

/** URL prefix -> folder. The longest matching prefix wins. */
export function defaultMounts(root = ROOT) {
  return { '/': join(root, 'web'), '/weights/': join(root, 'weights'), '/samples/': join(root, 'samples') };
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** The file a URL path names, or an HTTP status and why not. */
async function locate(mounts, urlPath) {
  const prefix = Object.keys(mounts)
    .filter((p) => urlPath.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return { status: 404, why: 'not found' };
  const rest = urlPath.slice(prefix.length);
  if (rest.includes('\0') || rest.split(/[/\\]/).includes('..')) return { status: 403, why: 'path leaves the served folders' };
  let base;
  try {
    base = await realpath(mounts[prefix]);
  } catch {
    return { status: 404, why: `${urlPath}: the folder for ${prefix} does not exist` };
  }
  let file = resolve(base, `.${sep}${rest}`);
  try {
    // realpath also resolves symbolic links, which must not lead outside the folder either
    file = await realpath(file);
    if ((await stat(file)).isDirectory()) file = await realpath(join(file, 'index.html'));
    const info = await stat(file);
    if (!file.startsWith(base + sep)) return { status: 403, why: 'path leaves the served folders' };
    if (!info.isFile()) return { status: 404, why: 'not found' };
    return { file, size: info.size };
  } catch {
    return { status: 404, why: `${urlPath} not found` };
  }
}

/**
 * Starts serving `mounts` on `host`:`port` (0 = a free port). Resolves with the server, its base URL and
 * close(), which also ends open connections.
 */
export async function startServer({ port = 8080, host = '127.0.0.1', mounts = defaultMounts() } = {}) {
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'only GET and HEAD');
      return;
    }
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      send(res, 400, 'bad URL');
      return;
    }
    const found = await locate(mounts, urlPath);
    if (!found.file) {
      send(res, found.status, found.why);
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME_TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': found.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port: bound } = server.address();
  return {
    server,
    url: `http://${host}:${bound}/`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function parsePort(argv) {
  const i = argv.indexOf('--port');
  if (i < 0) return 8080;
  const port = Number(argv[i + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port needs a number from 0 to 65535, got '${argv[i + 1] ?? ''}'`);
  return port;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { url } = await startServer({ port: parsePort(process.argv.slice(2)) });
    console.log(`pranet demo: ${url}  (Ctrl+C stops it)`);
    try {
      await stat(join(ROOT, 'web', 'dist', 'app.js'));
    } catch {
      console.log('  web/dist/app.js is missing: run `npm run build:web` first.');
    }
    try {
      await stat(join(ROOT, 'weights', 'pranet-kvasir-compact.f16.pnw'));
    } catch {
      console.log(`  the default model weights/pranet-kvasir-compact.f16.pnw is not there yet; open ${url}?weights=<url of a .pnw or .pth>`);
    }
  } catch (err) {
    console.error(`serve: ${err.code === 'EADDRINUSE' ? `port ${err.port} is in use; pick another with --port N (0 = any free port)` : err.message}`);
    process.exit(1);
  }
}
