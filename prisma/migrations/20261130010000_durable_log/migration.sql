-- The durable firehose log (DESIGN.md decisions 2 and 4): PostgreSQL keeps the ordered log for the
-- retention window; Redis (or the in-memory ring) only holds a fast copy of its tail. The relay
-- assigns gapless positions under its lock; a cursor is "<epoch>-<position>", where the epoch names
-- this log (a database made anew gets a new epoch, so cursors from another log are refused).
CREATE TABLE "firehose_log" (
    "position" BIGINT NOT NULL,
    "data" TEXT NOT NULL,
    "appended_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "firehose_log_pkey" PRIMARY KEY ("position")
);

-- One row: the log's epoch and the last position ever assigned (positions never go back, even when
-- retention empties the table).
CREATE TABLE "firehose_log_meta" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "epoch" BIGINT NOT NULL,
    "head" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "firehose_log_meta_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "firehose_log_meta_one_row" CHECK ("id" = 1)
);
INSERT INTO "firehose_log_meta" ("id", "epoch", "head")
VALUES (1, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint, 0);
