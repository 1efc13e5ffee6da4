-- Indexes for the public threats views: per-hour counts and 24-hour totals read public sightings
-- by time (partial index: private sightings are never counted there), and tag filters use GIN.
CREATE INDEX "sightings_public_reported_at_idx" ON "sightings"("reported_at") WHERE "is_public";
CREATE INDEX "sightings_tags_idx" ON "sightings" USING GIN ("tags");
