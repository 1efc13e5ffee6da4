-- STIX/TAXII projection (lib/stix, lib/taxii, docs/taxii.md): the latest version of every public
-- STIX object — one `indicator` per public indicator, one `sighting` per (indicator, public feed) —
-- with `seq`, a strictly increasing number assigned in firehose-log order, and `date_added`,
-- strictly increasing with it. TAXII paging is a keyset on `seq`: rows are written only by the
-- trigger below, inside the relay's transaction while it holds the log's writer lock, so a reader
-- that has seen seq N has seen every object committed before it; an object that changes gets a new
-- seq (its new version) and so is seen again, never skipped. Unlike the log it is not trimmed.
CREATE TABLE "stix_objects" (
    "seq" BIGINT NOT NULL,
    "indicator_id" BIGINT NOT NULL,
    -- NULL: the indicator object; else the sighting object of this feed's public sightings
    "feed_id" UUID,
    "log_position" BIGINT NOT NULL,
    "date_added" TIMESTAMPTZ(6) NOT NULL,
    "created" TIMESTAMPTZ(3) NOT NULL,
    "modified" TIMESTAMPTZ(3) NOT NULL,
    "first_seen" TIMESTAMPTZ(3) NOT NULL,
    "last_seen" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "confidence" INTEGER NOT NULL,
    "labels" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    CONSTRAINT "stix_objects_pkey" PRIMARY KEY ("seq"),
    CONSTRAINT "stix_objects_indicator_id_fkey" FOREIGN KEY ("indicator_id") REFERENCES "indicators"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "stix_objects_feed_id_fkey" FOREIGN KEY ("feed_id") REFERENCES "feeds"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- One row per object (the expression index the schema language cannot express).
CREATE UNIQUE INDEX "stix_objects_object_key" ON "stix_objects" ("indicator_id", (coalesce("feed_id", '00000000-0000-0000-0000-000000000000'::uuid)));
CREATE INDEX "stix_objects_feed_id_seq_idx" ON "stix_objects" ("feed_id", "seq");
CREATE UNIQUE INDEX "stix_objects_date_added_key" ON "stix_objects" ("date_added");

-- The projection of one batch of log entries (a statement-level trigger: the relay appends a batch
-- with one INSERT). `new` and `sighting` events (re)write the indicator's object and the sighting
-- object of the event's feed (of every feed with public sightings when a corroboration released
-- held ones); `retracted` events remove the value's objects. A failure here is logged and skipped,
-- never allowed to stop the firehose (the indicator is re-projected by its next event).
CREATE FUNCTION "stix_project_log"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  base_seq BIGINT;
  base_at TIMESTAMPTZ;
  at_ms TIMESTAMPTZ;
BEGIN
  BEGIN
    SELECT coalesce(max(seq), 0), greatest(clock_timestamp(), coalesce(max(date_added) + interval '1 microsecond', clock_timestamp()))
      INTO base_seq, base_at FROM stix_objects;
    at_ms := date_trunc('milliseconds', base_at);

    WITH ev AS (
      SELECT n.position, n.data::jsonb AS d FROM stix_new_log n
    ), pub AS (
      SELECT e.position, e.d, i.id AS indicator_id
      FROM ev e
      JOIN indicators i ON i.type = (e.d->'indicator'->>'type')::"IndicatorType" AND i.value = e.d->'indicator'->>'value'
      WHERE e.d->>'kind' IN ('new', 'sighting') AND i.retracted_at IS NULL AND i.public_count > 0
    ), ind AS (
      SELECT DISTINCT ON (p.indicator_id) p.indicator_id, NULL::uuid AS feed_id, p.position, p.d
      FROM pub p ORDER BY p.indicator_id, p.position DESC
    ), feed_events AS (
      SELECT p.indicator_id, f.id AS feed_id, p.position, p.d
      FROM pub p JOIN feeds f ON f.owner_id = (CASE WHEN p.d->'feed'->>'owner' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN p.d->'feed'->>'owner' END)::uuid
        AND f.slug = p.d->'feed'->>'slug'
      UNION ALL
      SELECT p.indicator_id, s.feed_id, p.position, p.d
      FROM pub p JOIN LATERAL (SELECT DISTINCT s.feed_id FROM sightings s WHERE s.indicator_id = p.indicator_id AND s.is_public) s ON true
      WHERE (p.d->'indicator'->>'corroborated')::boolean IS TRUE
    ), sight AS (
      SELECT DISTINCT ON (fe.indicator_id, fe.feed_id) fe.indicator_id, fe.feed_id, fe.position, fe.d
      FROM feed_events fe ORDER BY fe.indicator_id, fe.feed_id, fe.position DESC
    ), cand AS (
      SELECT * FROM ind UNION ALL SELECT * FROM sight
    ), numbered AS (
      SELECT c.*, row_number() OVER (ORDER BY c.position, c.indicator_id, c.feed_id NULLS FIRST) AS rn FROM cand c
    ), rows AS (
      SELECT n.rn, n.indicator_id, n.feed_id, n.position,
        CASE WHEN n.feed_id IS NULL THEN coalesce(i.public_first_seen, at_ms) ELSE a.first_seen END AS first_seen,
        CASE WHEN n.feed_id IS NULL THEN coalesce(i.public_last_seen, at_ms) ELSE a.last_seen END AS last_seen,
        CASE WHEN n.feed_id IS NULL THEN i.public_count ELSE a.n END AS count,
        CASE WHEN n.feed_id IS NULL THEN least(100, greatest(0, coalesce((n.d->'indicator'->>'confidence')::numeric, 50)))::int ELSE a.confidence END AS confidence,
        CASE WHEN n.feed_id IS NULL
          THEN ARRAY(SELECT DISTINCT t FROM jsonb_array_elements_text(coalesce(n.d->'indicator'->'tags', '[]'::jsonb)) AS t ORDER BY t LIMIT 50)
          ELSE ARRAY[]::text[] END AS labels
      FROM numbered n
      JOIN indicators i ON i.id = n.indicator_id
      LEFT JOIN LATERAL (
        SELECT count(*)::int AS n, min(s.reported_at) AS first_seen, max(s.reported_at) AS last_seen, coalesce(max(s.confidence), 50)::int AS confidence
        FROM sightings s WHERE s.indicator_id = n.indicator_id AND s.feed_id = n.feed_id AND s.is_public
      ) a ON n.feed_id IS NOT NULL
    )
    INSERT INTO stix_objects AS o (seq, indicator_id, feed_id, log_position, date_added, created, modified, first_seen, last_seen, count, confidence, labels)
    SELECT base_seq + r.rn, r.indicator_id, r.feed_id, r.position, base_at + (r.rn - 1) * interval '1 microsecond',
      least(date_trunc('milliseconds', r.first_seen), at_ms), at_ms, r.first_seen, r.last_seen, r.count, r.confidence, r.labels
    FROM rows r
    -- a sighting object needs at least one public sighting behind it
    WHERE r.feed_id IS NULL OR r.count > 0
    ON CONFLICT ("indicator_id", (coalesce("feed_id", '00000000-0000-0000-0000-000000000000'::uuid))) DO UPDATE SET
      seq = EXCLUDED.seq,
      log_position = EXCLUDED.log_position,
      date_added = EXCLUDED.date_added,
      modified = greatest(EXCLUDED.modified, o.modified + interval '1 millisecond'),
      first_seen = EXCLUDED.first_seen,
      last_seen = EXCLUDED.last_seen,
      count = EXCLUDED.count,
      confidence = EXCLUDED.confidence,
      labels = ARRAY(SELECT DISTINCT t FROM unnest(o.labels || EXCLUDED.labels) AS t ORDER BY t LIMIT 50);

    DELETE FROM stix_objects o USING stix_new_log n
    WHERE (n.data::jsonb)->>'kind' = 'retracted'
      AND o.indicator_id = (SELECT i.id FROM indicators i
                            WHERE i.type = ((n.data::jsonb)->'indicator'->>'type')::"IndicatorType" AND i.value = (n.data::jsonb)->'indicator'->>'value');
  EXCEPTION WHEN others THEN
    RAISE WARNING 'stix projection skipped a batch of the firehose log: % (%)', SQLERRM, SQLSTATE;
  END;
  RETURN NULL;
END;
$fn$;

CREATE TRIGGER "stix_project_log" AFTER INSERT ON "firehose_log"
  REFERENCING NEW TABLE AS stix_new_log FOR EACH STATEMENT EXECUTE FUNCTION "stix_project_log"();

-- What was public before this migration: every public indicator and its per-feed sightings, in the
-- order they were last seen.
WITH head AS (SELECT head FROM firehose_log_meta WHERE id = 1),
objs AS (
  SELECT i.id AS indicator_id, NULL::uuid AS feed_id, i.public_first_seen AS first_seen, i.public_last_seen AS last_seen, i.public_count AS count,
    (SELECT coalesce(max(s.confidence), 50) FROM sightings s WHERE s.indicator_id = i.id AND s.is_public)::int AS confidence,
    ARRAY(SELECT DISTINCT t FROM sightings s CROSS JOIN LATERAL unnest(s.tags) AS t WHERE s.indicator_id = i.id AND s.is_public ORDER BY t LIMIT 50) AS labels
  FROM indicators i WHERE i.public_count > 0 AND i.retracted_at IS NULL AND i.public_first_seen IS NOT NULL AND i.public_last_seen IS NOT NULL
  UNION ALL
  SELECT s.indicator_id, s.feed_id, min(s.reported_at), max(s.reported_at), count(*)::int, max(s.confidence)::int, ARRAY[]::text[]
  FROM sightings s JOIN indicators i ON i.id = s.indicator_id AND i.public_count > 0 AND i.retracted_at IS NULL
  WHERE s.is_public GROUP BY s.indicator_id, s.feed_id
), numbered AS (
  SELECT o.*, row_number() OVER (ORDER BY o.last_seen, o.indicator_id, o.feed_id NULLS FIRST) AS rn FROM objs o
)
INSERT INTO stix_objects (seq, indicator_id, feed_id, log_position, date_added, created, modified, first_seen, last_seen, count, confidence, labels)
SELECT n.rn, n.indicator_id, n.feed_id, coalesce((SELECT head FROM head), 0), now() + (n.rn - 1) * interval '1 microsecond',
  date_trunc('milliseconds', n.first_seen), date_trunc('milliseconds', greatest(n.last_seen, n.first_seen)), n.first_seen, n.last_seen, n.count, n.confidence, n.labels
FROM numbered n;

-- STIX ids are UUIDv5 (SHA-1), which PostgreSQL cannot compute without pgcrypto: lib/stix fills
-- this column for new rows before it looks an object up by id (the projection never changes it).
ALTER TABLE "stix_objects" ADD COLUMN "stix_id" UUID;
CREATE UNIQUE INDEX "stix_objects_stix_id_key" ON "stix_objects" ("stix_id");
CREATE INDEX "stix_objects_unnamed_idx" ON "stix_objects" ("seq") WHERE "stix_id" IS NULL;
