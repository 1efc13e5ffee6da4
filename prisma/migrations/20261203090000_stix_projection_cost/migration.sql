-- The STIX projection's trigger (20261130100000_stix_objects) runs inside the relay's transaction, once
-- per batch of log entries, so its cost is the relay's cost and competes with ingest for the same
-- database (bench/README.md, "bench/ingest.mts"). Same projection, three changes to how it runs:
--  - each entry's text is parsed into jsonb once (a MATERIALIZED CTE), not once per reference;
--  - a feed's sighting aggregate reads the value's sightings by indicator_id only. With the feed's
--    condition beside it, a planner whose statistics lag behind (a fresh or fast-growing sightings
--    table) ANDed the feed_id index into a bitmap scan: every event read all of the feed's sightings,
--    a cost that grew with the feed (per 1,000 events: 435 ms of PostgreSQL CPU at 13,000 sightings,
--    64 ms after). OFFSET 0 keeps the feed's condition out of the index scan;
--  - the retraction pass parses only entries whose text mentions "retracted" (a retracted event
--    always does; others are skipped before the jsonb parse, then checked as before).
CREATE OR REPLACE FUNCTION "stix_project_log"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  base_seq BIGINT;
  base_at TIMESTAMPTZ;
  at_ms TIMESTAMPTZ;
BEGIN
  BEGIN
    SELECT coalesce(max(seq), 0), greatest(clock_timestamp(), coalesce(max(date_added) + interval '1 microsecond', clock_timestamp()))
      INTO base_seq, base_at FROM stix_objects;
    at_ms := date_trunc('milliseconds', base_at);

    WITH ev AS MATERIALIZED (
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
        FROM (SELECT s.reported_at, s.confidence, s.feed_id, s.is_public FROM sightings s WHERE s.indicator_id = n.indicator_id AND n.feed_id IS NOT NULL OFFSET 0) s
        WHERE s.feed_id = n.feed_id AND s.is_public
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

    DELETE FROM stix_objects o
    USING (SELECT n.data::jsonb AS d FROM stix_new_log n WHERE strpos(n.data, '"retracted"') > 0 OFFSET 0) r
    WHERE r.d->>'kind' = 'retracted'
      AND o.indicator_id = (SELECT i.id FROM indicators i
                            WHERE i.type = (r.d->'indicator'->>'type')::"IndicatorType" AND i.value = r.d->'indicator'->>'value');
  EXCEPTION WHEN others THEN
    RAISE WARNING 'stix projection skipped a batch of the firehose log: % (%)', SQLERRM, SQLSTATE;
  END;
  RETURN NULL;
END;
$fn$;
