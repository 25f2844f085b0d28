// Loads an engine weight file from a URL, a Node file path, or bytes already in memory, with progress.
import { decodeWeightFile, type DecodedWeightFile } from './engine-file.js';
import { fetchBytes, type ProgressCallback } from './fetch-bytes.js';

export type WeightFileSource = string | URL | ArrayBuffer | Uint8Array;

function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** A URL scheme such as http:, https:, blob: or data: (but not a Windows drive letter). */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

async function readLocal(path: string | URL, onProgress?: ProgressCallback): Promise<Uint8Array> {
  // A computed specifier keeps bundlers from pulling the Node-only module (and node:fs) into browser builds.
  const nodeModule = './read-file-node.js';
  const { readFileWithProgress } = (await import(nodeModule)) as typeof import('./read-file-node.js');
  return readFileWithProgress(path, onProgress);
}

/** The bytes of a file path (Node), URL or in-memory buffer, with progress. */
export async function loadSourceBytes(src: WeightFileSource, onProgress?: ProgressCallback): Promise<Uint8Array> {
  if (src instanceof Uint8Array || src instanceof ArrayBuffer) {
    const bytes = src instanceof Uint8Array ? src : new Uint8Array(src);
    onProgress?.(bytes.length, bytes.length);
    return bytes;
  }
  if (inNode()) {
    const url = src instanceof URL ? src : HAS_SCHEME.test(src) ? new URL(src) : undefined;
    if (!url || url.protocol === 'file:') return readLocal(url ?? src, onProgress);
  }
  return fetchBytes(src, onProgress);
}

/** How a source is named in messages. */
export function sourceName(src: WeightFileSource, bytesName: string): string {
  return src instanceof Uint8Array || src instanceof ArrayBuffer ? bytesName : String(src);
}

/**
 * Loads and validates a weight file. In a browser a string is a URL (relative ones included); in Node it
 * is a file path unless it has a scheme such as https:.
 */
export async function loadWeightFile(src: WeightFileSource, onProgress?: ProgressCallback): Promise<DecodedWeightFile> {
  const source = sourceName(src, 'weight file bytes');
  return decodeWeightFile(await loadSourceBytes(src, onProgress), source);
}
