// GET /docs/api/assets/<file>: the Swagger UI renderer of /docs/api, served from this server out of
// the installed swagger-ui-dist package (never a CDN), by an allow-list of names: nothing a visitor
// chooses reaches the file system. Files are read once and kept in memory (about 1.5 MB).
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const dynamic = 'force-dynamic';

const ASSETS: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};

const loaded = new Map<string, Promise<Buffer>>();

function load(name: string): Promise<Buffer> {
  let file = loaded.get(name);
  if (!file) {
    // Next runs with dir = process.cwd() (server/node.ts), the root that holds node_modules.
    file = readFile(path.join(process.cwd(), 'node_modules', 'swagger-ui-dist', name));
    file.catch(() => loaded.delete(name));
    loaded.set(name, file);
  }
  return file;
}

export async function GET(_req: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
  if (!type) return new Response('Not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  let body: Buffer;
  try {
    body = await load(file);
  } catch {
    return new Response('The API reference renderer is not installed (npm install swagger-ui-dist).\n', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  return new Response(new Uint8Array(body), { headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' } });
}
