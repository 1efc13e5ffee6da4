// The dead-letter alert: one error log line with the job and its last error, a metric, and an
// optional webhook (ALERT_WEBHOOK_URL) with the same facts as JSON. The webhook is best effort: a
// failure to deliver it is logged, never retried forever, and never blocks the worker for long.
import type { Logger } from '../logger';
import type { DeadLetter } from '../jobs/types';

export interface AlertDeps {
  logger: Logger;
  /** POSTed a JSON body when set. */
  webhookUrl?: string;
  /** The metric to increment (server/metrics.ts jobMetrics.deadLettered). */
  counter?: { inc(labels: { queue: string; name: string }): void };
  /** @default 5000 */
  webhookTimeoutMs?: number;
}

export interface DeadLetterAlert {
  type: 'job.dead_lettered';
  queue: string;
  job: { id: string; name: string; attempts: number; data: unknown };
  lastError: string;
  at: string;
}

const firstLine = (s: string) => s.split('\n', 1)[0]?.slice(0, 300) ?? '';

export async function raiseDeadLetterAlert(deps: AlertDeps, queue: string, job: DeadLetter): Promise<DeadLetterAlert> {
  const dataText = JSON.stringify(job.data) ?? '';
  const alert: DeadLetterAlert = {
    type: 'job.dead_lettered',
    queue,
    job: { id: job.id, name: job.name, attempts: job.attempts, data: dataText.length > 2000 ? `${dataText.slice(0, 2000)}…` : job.data },
    lastError: job.lastError,
    at: job.failedAt,
  };
  deps.counter?.inc({ queue, name: job.name });
  deps.logger.error(
    { alert: alert.type, queue, job: alert.job, lastError: job.lastError },
    `job ${job.name} #${job.id} dead-lettered after ${job.attempts} attempts: ${firstLine(job.lastError)}`,
  );
  if (deps.webhookUrl) {
    try {
      const res = await fetch(deps.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'sluice-alerts' },
        body: JSON.stringify(alert),
        signal: AbortSignal.timeout(deps.webhookTimeoutMs ?? 5000),
      });
      if (!res.ok) deps.logger.warn({ status: res.status, queue, jobId: job.id }, 'alert webhook answered with an error');
    } catch (error) {
      deps.logger.warn({ err: error, queue, jobId: job.id }, 'alert webhook failed');
    }
  }
  return alert;
}
