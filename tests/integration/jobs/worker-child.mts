// A worker process for the SIGKILL test: takes jobs from CHILD_QUEUE, prints "STARTED <id>" and
// hangs until killed.
import { parseConfig } from '../../../lib/config';
import { openDatabase } from '../../../lib/db';
import { createEngines } from '../../../lib/engines';
import { createJobQueue } from '../../../lib/jobs';

const config = parseConfig(process.env);
const db = await openDatabase(config);
const kind = process.env.CHILD_KIND;
const engines = kind === 'redis' ? createEngines(config) : { kind: 'memory' as const, redis: null, prefix: '' };
const queue = createJobQueue({ db, engines }, config, process.env.CHILD_QUEUE!);
queue.process(async (run) => {
  process.stdout.write(`STARTED ${run.id}\n`);
  await new Promise(() => undefined);
}, { concurrency: 1 });
