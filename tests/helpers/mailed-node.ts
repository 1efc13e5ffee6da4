// A node of a test's own that mails through SMTP to a real SMTP server in the test's process
// (smtp-sink.ts), on a free port and its own data directory: what the e2e stories about mail need.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { startServer, type ServerProcess } from './server-process';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

export interface MailedNode {
  sink: SmtpSink;
  server: ServerProcess;
  /** The node's origin, as configured in NEXTAUTH_URL (the links in its mail point here). */
  base: string;
  /** Stops the node and the SMTP server and removes the data directory. */
  close(): Promise<void>;
}

/**
 * `name` labels the data directory; `env` adds to or overrides the defaults (an embedded database and
 * in-memory engines whatever DATABASE_URL / REDIS_URL the suite runs with; pass DATABASE_URL to use another).
 */
export async function startMailedNode(name: string, env: Record<string, string>, { timeoutMs = 170_000 } = {}): Promise<MailedNode> {
  const sink = await startSmtpSink();
  const dataDir = await mkdtemp(path.join(tmpdir(), `sluice-e2e-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server: ServerProcess;
  try {
    server = await startServer(
      {
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        REDIS_URL: '',
        PORT: String(port),
        NEXTAUTH_URL: base,
        SMTP_URL: sink.url,
        MAIL_FROM: 'Sluice <noreply@sluice.test>',
        LOG_LEVEL: 'info', // startServer waits for the "listening" line
        ...env,
      },
      { timeoutMs },
    );
  } catch (error) {
    await sink.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    sink,
    server,
    base,
    async close() {
      await server.stop();
      await sink.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
