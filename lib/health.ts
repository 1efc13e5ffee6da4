// Health report: each dependency checked live, plus what this node runs.
import type { Runtime } from './runtime';

export interface DependencyHealth {
  /** Which engine: "postgres" or "embedded" for the database, "redis" or "embedded" for Redis. */
  engine: string;
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  version: string;
  roles: string[];
  uptimeSeconds: number;
  database: DependencyHealth & { location?: string };
  redis: DependencyHealth;
}

async function probe(engine: string, check: () => Promise<unknown>, timeoutMs = 2000): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { engine, status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      engine,
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

export async function getHealth(runtime: Runtime): Promise<HealthReport> {
  const [database, redis] = await Promise.all([
    probe(runtime.db.kind, () => runtime.db.sql.query('SELECT 1')),
    probe(runtime.engines.kind === 'redis' ? 'redis' : 'embedded', () => runtime.engines.ping()),
  ]);
  return {
    status: database.status === 'ok' && redis.status === 'ok' ? 'ok' : 'degraded',
    version: runtime.version,
    roles: runtime.roles,
    uptimeSeconds: Math.round((Date.now() - runtime.startedAt.getTime()) / 1000),
    database: { ...database, location: runtime.db.kind === 'embedded' ? 'embedded (PGlite)' : undefined },
    redis,
  };
}
