// /metrics for the analysis enqueuer (lib/jobs/analysis-enqueuer.ts): what waits in its bounded
// buffer and what it dropped while the queue was unreachable. Read from the process-wide stats,
// which route handlers (Next's bundle) and the server entry share.
import { Counter, Gauge } from 'prom-client';
import { enqueuerStats } from '../../lib/jobs/analysis-enqueuer';
import { metricsRegistry } from '../metrics';

new Gauge({
  name: 'sluice_analysis_enqueue_buffered',
  help: 'Accepted indicators waiting to be added to the analysis queue',
  registers: [metricsRegistry],
  collect() {
    this.set(enqueuerStats().buffered);
  },
});

new Counter({
  name: 'sluice_analysis_enqueue_dropped_total',
  help: 'Accepted indicators whose analysis request was dropped because the enqueue buffer was full (queue unreachable)',
  registers: [metricsRegistry],
  collect() {
    this.reset();
    this.inc(enqueuerStats().dropped);
  },
});
