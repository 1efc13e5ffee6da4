-- Post-processing: the embedded job queue, worker heartbeats, analysis results, analyzer marks.
CREATE TABLE "jobs" (
    "id" BIGSERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "key" TEXT,
    "data" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'waiting',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL,
    "backoff_ms" INTEGER NOT NULL,
    "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_by" TEXT,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "failed_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "jobs_queue_status_run_at_idx" ON "jobs"("queue", "status", "run_at");
CREATE INDEX "jobs_queue_key_idx" ON "jobs"("queue", "key");
CREATE INDEX "jobs_queue_completed_at_idx" ON "jobs"("queue", "completed_at");
CREATE INDEX "jobs_queue_failed_at_idx" ON "jobs"("queue", "failed_at");

CREATE TABLE "job_workers" (
    "id" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "job_workers_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "job_workers_queue_seen_at_idx" ON "job_workers"("queue", "seen_at");

CREATE TABLE "indicator_analyses" (
    "type" "IndicatorType" NOT NULL,
    "value" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "findings" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "indicator_analyses_pkey" PRIMARY KEY ("type","value")
);

CREATE TABLE "analyzer_marks" (
    "analyzer" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "analyzer_marks_pkey" PRIMARY KEY ("analyzer","key")
);
