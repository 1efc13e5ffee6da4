// Prometheus metrics (prom-client) for /metrics. One registry per process.
import { collectDefaultMetrics, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
metricsRegistry.setDefaultLabels({ service: 'sluice' });
collectDefaultMetrics({ register: metricsRegistry });

import { Counter, Gauge, Histogram } from 'prom-client';

export const gatewayMetrics = {
  connectedSockets: new Gauge({ name: 'sluice_gateway_connected_sockets', help: 'Firehose sockets connected to this node', registers: [metricsRegistry] }),
  publicSockets: new Gauge({ name: 'sluice_gateway_public_sockets', help: 'Public (threats page) sockets connected to this node', registers: [metricsRegistry] }),
  eventsDelivered: new Counter({ name: 'sluice_gateway_events_delivered_total', help: 'Events written to firehose sockets (one per recipient)', registers: [metricsRegistry] }),
  frames: new Counter({ name: 'sluice_gateway_frames_total', help: 'Batch frames emitted (one per room per flush, plus replay frames)', registers: [metricsRegistry] }),
  bytes: new Counter({ name: 'sluice_gateway_bytes_total', help: 'Approximate payload bytes written to firehose sockets', registers: [metricsRegistry] }),
  slowConsumerDisconnects: new Counter({ name: 'sluice_gateway_slow_consumer_disconnects_total', help: 'Sockets disconnected for falling behind', registers: [metricsRegistry] }),
  connectRefusals: new Counter({ name: 'sluice_gateway_connect_refusals_total', help: 'Refused firehose connections by code', labelNames: ['code'], registers: [metricsRegistry] }),
  logEventsRead: new Counter({ name: 'sluice_gateway_log_events_read_total', help: 'Events this node read from the firehose log', registers: [metricsRegistry] }),
  lagSeconds: new Gauge({ name: 'sluice_gateway_lag_seconds', help: 'How far this node’s dispatch is behind the head of the log', registers: [metricsRegistry] }),
  // One flush writes a batch to every socket of every room in one synchronous run: everything
  // else on the node (requests, the relay, workers) waits that long.
  flushSeconds: new Histogram({
    name: 'sluice_gateway_flush_seconds',
    help: 'Time one dispatcher flush holds the event loop (every room, every socket)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [metricsRegistry],
  }),
};

export const jobMetrics = {
  completed: new Counter({ name: 'sluice_jobs_completed_total', help: 'Jobs completed by this node’s workers', labelNames: ['queue', 'name'], registers: [metricsRegistry] }),
  failed: new Counter({ name: 'sluice_jobs_failed_total', help: 'Failed job runs on this node (retried or dead-lettered)', labelNames: ['queue', 'name'], registers: [metricsRegistry] }),
  deadLettered: new Counter({ name: 'sluice_jobs_dead_lettered_total', help: 'Jobs moved to the dead-letter queue by this node', labelNames: ['queue', 'name'], registers: [metricsRegistry] }),
  duration: new Histogram({ name: 'sluice_job_duration_seconds', help: 'Job run time', labelNames: ['queue', 'name'], buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60], registers: [metricsRegistry] }),
  analyzerDuration: new Histogram({
    name: 'sluice_analyzer_duration_seconds',
    help: 'Time per analyzer per job batch (and "save-findings": storing the merged findings)',
    labelNames: ['analyzer'],
    buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
    registers: [metricsRegistry],
  }),
};
