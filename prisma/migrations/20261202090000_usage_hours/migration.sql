-- Usage per account, token and hour (issue #17, lib/usage): every node adds its counts in batches
-- (INSERT … ON CONFLICT DO UPDATE adding to the counters), so several nodes sum up. A day is the sum
-- of its hours. Rows older than USAGE_RETENTION_DAYS are pruned. No foreign key to api_tokens: a
-- revoked token's usage still counts for its account; deleting the account deletes its usage.
CREATE TABLE "usage_hours" (
    "user_id" UUID NOT NULL,
    "token_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "limited" INTEGER NOT NULL DEFAULT 0,
    "submissions" INTEGER NOT NULL DEFAULT 0,
    "lookups" INTEGER NOT NULL DEFAULT 0,
    "stream_seconds" INTEGER NOT NULL DEFAULT 0,
    "events_delivered" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "usage_hours_pkey" PRIMARY KEY ("user_id", "token_id", "hour")
);
CREATE INDEX "usage_hours_hour_idx" ON "usage_hours"("hour");
ALTER TABLE "usage_hours" ADD CONSTRAINT "usage_hours_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
