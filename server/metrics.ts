// Prometheus metrics (prom-client) for /metrics. One registry per process.
import { collectDefaultMetrics, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
metricsRegistry.setDefaultLabels({ service: 'sluice' });
collectDefaultMetrics({ register: metricsRegistry });
