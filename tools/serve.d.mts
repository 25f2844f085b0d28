// Types of tools/serve.mjs for the TypeScript tests that start it.
import type { Server } from 'node:http';

export const MIME_TYPES: Readonly<Record<string, string>>;
export function defaultMounts(root?: string): Record<string, string>;
export function startServer(options?: {
  port?: number;
  host?: string;
  mounts?: Record<string, string>;
}): Promise<{ server: Server; url: string; close(): Promise<void> }>;
