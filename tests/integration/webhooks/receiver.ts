// A real local HTTP receiver for webhook tests: records every request (headers, raw body, the
// status it answered) and answers what the test's `respond` decides.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { FirehoseEvent } from '@/lib/events';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  /** Parsed body: `{ events }` (deliveries) or `{ test: true, ... }` (test requests). */
  json: { events: FirehoseEvent[]; test?: boolean };
}

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** Event ids of the requests answered 2xx, in arrival order. */
  acceptedIds(): string[];
  close(): Promise<void>;
}

export async function startReceiver(respond: (n: number, body: string) => number | Promise<number> = () => 200, path = '/hook'): Promise<Receiver> {
  const requests: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = await respond(n++, body);
      let json: Received['json'] = { events: [] };
      try {
        json = JSON.parse(body) as Received['json'];
      } catch {
        // recorded as is
      }
      requests.push({ headers: req.headers, body, status, json });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status >= 400 ? `receiver says no (${status})` : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    requests,
    acceptedIds: () => requests.filter((r) => r.status >= 200 && r.status < 300).flatMap((r) => (r.json.events ?? []).map((e) => e.id)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
