// `sluice admin jobs list|retry|discard` — the post-processing queue from the command line: depths,
// workers, dead letters; retry or discard a dead letter. Works on the configured engines: BullMQ on
// REDIS_URL, else the table queue in the database. An embedded database that a running Sluice owns
// cannot be opened here: the command then points to the admin page instead.
import { Command } from 'commander';
import { readAdminHandle } from '../lib/accounts/admin-channel';
import { ConfigError, parseConfig, type Config } from '../lib/config';

interface QueueAccess {
  queue: import('../lib/jobs').JobQueue;
  close(): Promise<void>;
}

async function openQueue(config: Config): Promise<QueueAccess> {
  const [{ createJobQueue }, { createEngines }] = await Promise.all([import('../lib/jobs'), import('../lib/engines')]);
  const engines = createEngines(config);
  if (engines.kind === 'redis') {
    // BullMQ needs no database: the queue lives in Redis.
    const queue = createJobQueue({ db: { kind: 'postgres', sql: null as never }, engines }, config);
    return { queue, close: async () => (await queue.close(), await engines.close()) };
  }
  if (!config.DATABASE_URL) {
    const handle = await readAdminHandle(config.DATA_DIR);
    let alive = false;
    if (handle) {
      try {
        process.kill(handle.pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (alive) {
      await engines.close();
      throw new Error(`a running Sluice (pid ${handle!.pid}) owns the embedded database: use its admin page, ${handle!.url}/admin, or stop it first`);
    }
  }
  const { openDatabase } = await import('../lib/db');
  const db = await openDatabase(config, { migrate: true });
  const queue = createJobQueue({ db, engines }, config);
  return {
    queue,
    async close() {
      await queue.close();
      await engines.close();
      await db.close();
    },
  };
}

async function withQueue(run: (queue: QueueAccess['queue']) => Promise<void>): Promise<void> {
  let access: QueueAccess | null = null;
  try {
    const config = parseConfig(process.env);
    access = await openQueue(config);
    await run(access.queue);
  } catch (error) {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`sluice admin jobs: ${message}\n`);
    process.exitCode = process.exitCode || 1;
  } finally {
    await access?.close().catch(() => undefined);
  }
}

export function register(program: Command): void {
  const admin = program.commands.find((c) => c.name() === 'admin') ?? program.command('admin').description('operator commands');
  const jobs = admin.command('jobs').description('the post-processing queue: list, retry or discard dead letters');
  jobs
    .command('list')
    .description('queue depths, workers alive, recent failures and dead letters')
    .option('--json', 'print the overview as JSON')
    .action((options: { json?: boolean }) =>
      withQueue(async (queue) => {
        const { getQueueOverview } = await import('../lib/jobs/get-queue-overview');
        const o = await getQueueOverview(queue, 60);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(o, null, 2)}\n`);
          return;
        }
        const c = o.counts;
        process.stdout.write(`queue ${o.queue} (${o.engine}): waiting ${c.waiting}, active ${c.active}, delayed ${c.delayed}, dead ${c.dead}; ${o.jobsPerSecond} jobs/s\n`);
        process.stdout.write(`workers alive: ${o.workers.length}${o.workers.map((w) => `\n  ${w.host} pid ${w.pid} ×${w.concurrency}`).join('')}\n`);
        process.stdout.write(`dead letters: ${o.deadLetters.length}\n`);
        for (const d of o.deadLetters) process.stdout.write(`  ${d.id}\t${d.name}\t${d.attempts} attempts\t${d.failedAt}\t${d.lastError}\n`);
      }),
    );
  for (const verb of ['retry', 'discard'] as const) {
    jobs
      .command(`${verb} <id>`)
      .description(verb === 'retry' ? 'put a dead letter back in the queue with fresh attempts' : 'delete a dead letter')
      .action((id: string) =>
        withQueue(async (queue) => {
          const done = verb === 'retry' ? await queue.retryDeadLetter(id) : await queue.discardDeadLetter(id);
          if (!done) {
            process.stderr.write(`sluice admin jobs: no dead letter ${id}\n`);
            process.exitCode = 3;
            return;
          }
          process.stdout.write(`${verb === 'retry' ? 'retried' : 'discarded'} ${id}\n`);
        }),
      );
  }
}
