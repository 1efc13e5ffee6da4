// The analyzer plug-in interface: indicators in, findings out. Each analyzer runs with a time limit
// (lib/analyzers/run-analysis.ts); one that publishes does so through the one ingest function into a
// system feed, and guards with analyzer marks so that a retried job never publishes twice.
import type { SqlDriver } from '../db/sql-driver';
import type { EventKind } from '../events';
import type { CompiledAllowList, IndicatorType } from '../indicators';
import type { IngestResult } from '../ingest';
import type { JobsConfig } from '../jobs/config';

export interface AnalyzerInput {
  type: IndicatorType;
  value: string;
  /**
   * True when the analysis was triggered by a public sighting. Only then may an analyzer publish
   * something derived from the value itself (e.g. a URL's host); counts over sightings always use
   * public sightings only, whatever triggered the run.
   */
  public: boolean;
}

export interface RelatedIndicator {
  type: IndicatorType;
  value: string;
  relation: string;
}

export interface Finding {
  analyzer: string;
  /** Short machine name, e.g. "correlated", "hot-network", "host", "expired". */
  kind: string;
  /** One human line. */
  summary: string;
  related?: RelatedIndicator[];
  data?: Record<string, unknown>;
  at: string;
}

export type SystemFeedSlug = 'correlated' | 'hot-networks' | 'related' | 'expired';

export interface PublishItem {
  value: string;
  type?: IndicatorType;
  tags?: string[];
  description?: string;
  confidence?: number;
  reference?: string;
  reportedAt?: string;
}

export interface AnalyzerContext {
  sql: SqlDriver;
  config: JobsConfig;
  now: () => number;
  /** Aborted when the analyzer's time is up or the worker shuts down. */
  signal: AbortSignal;
  /** Publishes into a system feed through ingestIndicators (owned by the system user). */
  publish(feed: SystemFeedSlug, items: PublishItem[], kind?: Extract<EventKind, 'correlated' | 'expired'>): Promise<IngestResult>;
  /** Adds a finding to another indicator's analysis (e.g. the link back from a URL's host). */
  note(target: { type: IndicatorType; value: string }, finding: Finding): Promise<void>;
}

export interface Analyzer {
  readonly name: string;
  /** @default ANALYZER_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Findings for each input, in input order (an empty array when there is nothing to say). */
  analyze(inputs: AnalyzerInput[], ctx: AnalyzerContext): Promise<Finding[][]>;
}

export interface AnalyzerDeps {
  sql: SqlDriver;
  allowList: CompiledAllowList;
  config: JobsConfig;
  now?: () => number;
  /**
   * Told how long each analyzer took on each batch (also on failure), and how long storing the
   * findings took (as "save-findings"): /metrics and bench/workers show where the time goes.
   */
  observe?: (analyzer: string, ms: number, inputs: number) => void;
}
