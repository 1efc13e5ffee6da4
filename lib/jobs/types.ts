// The job queue behind one small interface, with two implementations: BullMQ on Redis (several
// nodes) and a table in the database (embedded mode). One shared test suite runs against both.

export type JobData = Record<string, unknown>;

export interface AddJobOptions {
  /** Attempts before the job is dead-lettered (the first run counts). @default JOB_ATTEMPTS */
  attempts?: number;
  /** First retry delay in ms; doubles on each retry. @default JOB_BACKOFF_MS */
  backoffMs?: number;
  /** Run no earlier than this many ms from now. @default 0 */
  delayMs?: number;
  /** De-duplication key: not added while a job with the same key is waiting or running. */
  key?: string;
}

export interface NewJob {
  name: string;
  data: JobData;
  options?: AddJobOptions;
}

/** What a handler gets for one run of a job. */
export interface JobRun {
  id: string;
  name: string;
  data: JobData;
  /** 1 for the first run. */
  attempt: number;
  maxAttempts: number;
  /** True when a failure of this run dead-letters the job. */
  isFinalAttempt: boolean;
  /** Aborted when the worker shuts down and stops waiting for this run. */
  signal: AbortSignal;
}

export type JobHandler = (run: JobRun) => Promise<unknown>;

/**
 * A run that failed only because a dependency is down (lib/errors isUnavailableError: the database
 * restarting, a refused connection) has not failed: both queues put the job back for this long
 * (plus up to as much again, so a queue's worth of jobs does not come back at once), the attempt
 * given back — never dead-lettered, never alerted, however long the outage.
 */
export const UNAVAILABLE_JOB_DELAY_MS = 5000;
export const unavailableJobDelayMs = (random = Math.random) => Math.round(UNAVAILABLE_JOB_DELAY_MS * (1 + random()));

export interface DeadLetter {
  id: string;
  name: string;
  data: JobData;
  attempts: number;
  lastError: string;
  failedAt: string;
}

export interface JobFailure {
  id: string;
  name: string;
  attempt: number;
  error: string;
  at: string;
  /** True when this failure dead-lettered the job. */
  dead: boolean;
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  startedAt: string;
  seenAt: string;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  dead: number;
}

export interface QueueStats {
  counts: QueueCounts;
  workers: WorkerInfo[];
  /** Jobs completed in each of the last `seconds` seconds, oldest first. */
  completedPerSecond: number[];
  /** Oldest waiting job's age in ms (0 when none waits). */
  oldestWaitingMs: number;
}

export interface DeadLetterEvent {
  job: DeadLetter;
}

export interface ProcessOptions {
  /** Jobs run at the same time by this worker. */
  concurrency: number;
  /** Called when a job lands in the dead-letter queue (after its final failure). */
  onDeadLetter?: (event: DeadLetterEvent) => void | Promise<void>;
  /** Called after every failed run (retried or not). */
  onFailure?: (failure: JobFailure) => void;
  /** Called after every completed run. */
  onCompleted?: (job: { id: string; name: string; ms: number }) => void;
}

export interface QueueWorker {
  readonly id: string;
  /**
   * Stops taking jobs, waits up to graceMs for running ones, then returns the rest to the queue
   * (they run again elsewhere; an interrupted run does not count as a failure).
   */
  stop(graceMs?: number): Promise<void>;
}

export interface JobQueue {
  readonly kind: 'bullmq' | 'sql';
  readonly name: string;
  add(name: string, data: JobData, options?: AddJobOptions): Promise<string | null>;
  /** Adds many jobs in one round trip. Returns the ids (null where de-duplicated). */
  addBulk(jobs: NewJob[]): Promise<(string | null)[]>;
  process(handler: JobHandler, options: ProcessOptions): QueueWorker;
  stats(seconds?: number): Promise<QueueStats>;
  findDeadLetters(limit?: number): Promise<DeadLetter[]>;
  findRecentFailures(limit?: number): Promise<JobFailure[]>;
  /** Puts a dead letter back in the queue with a fresh set of attempts. False when not found. */
  retryDeadLetter(id: string): Promise<boolean>;
  /** Deletes a dead letter. False when not found. */
  discardDeadLetter(id: string): Promise<boolean>;
  close(): Promise<void>;
}
