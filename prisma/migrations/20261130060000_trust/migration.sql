-- Trust (docs/trust.md): reporter trust levels, sightings held from the firehose until corroborated,
-- distinct reporters per indicator, retractions, warning lists' state and hit counts, disputes.
ALTER TABLE "users" ADD COLUMN "trust_level" TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE "users" ADD CONSTRAINT "users_trust_level_check" CHECK ("trust_level" IN ('trusted', 'normal', 'untrusted'));
ALTER TABLE "users" ADD COLUMN "retracted_reports" INTEGER NOT NULL DEFAULT 0;

-- A held sighting is on a public feed but not public (is_public stays false) until corroborated;
-- warnings are the warning lists it hit when it was written; retracted marks an operator retraction.
ALTER TABLE "sightings" ADD COLUMN "held" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "sightings" ADD COLUMN "warnings" TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE "sightings" ADD COLUMN "retracted" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "sightings_held_idx" ON "sightings"("indicator_id") WHERE "held";

ALTER TABLE "indicators" ADD COLUMN "held_count" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "indicators" ADD COLUMN "retracted_at" TIMESTAMPTZ(3);
ALTER TABLE "indicators" ADD COLUMN "retraction_reason" TEXT;

-- One row per indicator and reporter of a public feed: when they last reported it (server time) and
-- whether one of their sightings of it is public. Counts distinct reporters without scanning sightings.
CREATE TABLE "indicator_reporters" (
    "indicator_id" BIGINT NOT NULL,
    "reporter_id" UUID NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,
    "public" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "indicator_reporters_pkey" PRIMARY KEY ("indicator_id", "reporter_id")
);
ALTER TABLE "indicator_reporters" ADD CONSTRAINT "indicator_reporters_indicator_id_fkey" FOREIGN KEY ("indicator_id") REFERENCES "indicators"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "indicator_reporters" ADD CONSTRAINT "indicator_reporters_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "warning_lists" (
    "id" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "hits" BIGINT NOT NULL DEFAULT 0,
    "last_hit_at" TIMESTAMPTZ(3),
    CONSTRAINT "warning_lists_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "warning_list_meta" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "generation" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "warning_list_meta_pkey" PRIMARY KEY ("id")
);
INSERT INTO "warning_list_meta" ("id", "generation") VALUES (1, 0);

CREATE TABLE "indicator_disputes" (
    "id" BIGSERIAL NOT NULL,
    "indicator_id" BIGINT NOT NULL,
    "reporter_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    CONSTRAINT "indicator_disputes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "indicator_disputes_status_check" CHECK ("status" IN ('open', 'upheld', 'rejected'))
);
ALTER TABLE "indicator_disputes" ADD CONSTRAINT "indicator_disputes_indicator_id_fkey" FOREIGN KEY ("indicator_id") REFERENCES "indicators"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "indicator_disputes" ADD CONSTRAINT "indicator_disputes_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE UNIQUE INDEX "indicator_disputes_indicator_id_reporter_id_key" ON "indicator_disputes"("indicator_id", "reporter_id");
CREATE INDEX "indicator_disputes_status_created_at_idx" ON "indicator_disputes"("status", "created_at");
