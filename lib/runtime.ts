// The process-wide services (config, database, engines, logger) built once by server/index.mts.
// Next.js bundles route handlers separately from the server entry, so the instance is shared
// through lib/process-state rather than a module singleton: one embedded database per process.
import type { Config, Role } from './config';
import type { Database } from './db';
import type { Engines } from './engines';
import type { Logger } from './logger';
import { peekProcessSlot, setProcessSlot } from './process-state';

export interface Runtime {
  config: Config;
  roles: Role[];
  db: Database;
  engines: Engines;
  logger: Logger;
  startedAt: Date;
  /** Version of this build (package.json). */
  version: string;
}

export function setRuntime(runtime: Runtime | undefined): void {
  setProcessSlot('runtime', runtime);
}

export function getRuntime(): Runtime {
  const runtime = peekProcessSlot<Runtime>('runtime');
  if (!runtime) {
    throw new Error('Sluice runtime is not initialised: start Sluice with `npm start` or `npm run dev` (server/index.mts), not `next dev`.');
  }
  return runtime;
}
