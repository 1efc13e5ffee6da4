-- Display names (issue 14): what public pages (/feeds, /threats, indicator pages) call a feed's
-- owner — never the user id or the e-mail. A new account gets "reporter-" and 12 random hex digits,
-- which says nothing about who it is; the owner changes it on the dashboard (names starting with
-- "reporter-" are kept for these defaults, and a name another account uses is refused there).
-- Accounts that already had a name keep it when no other account has the same one (public pages
-- already showed it).
ALTER TABLE "users" ADD COLUMN "display_name" TEXT NOT NULL DEFAULT ('reporter-' || substr(md5(random()::text || clock_timestamp()::text), 1, 12));
UPDATE "users" u SET "display_name" = left(btrim(u."name"), 64)
WHERE u."name" IS NOT NULL AND btrim(u."name") <> '' AND lower(btrim(u."name")) NOT LIKE 'reporter-%'
  AND NOT EXISTS (SELECT 1 FROM "users" o WHERE o."id" <> u."id" AND lower(left(btrim(o."name"), 64)) = lower(left(btrim(u."name"), 64)));
CREATE INDEX "users_display_name_idx" ON "users"(lower("display_name"));

-- Public search (/threats/search, lib/threats/search-public-indicators.ts): values by prefix and, through
-- their reverse, by suffix (a domain and its subdomains), with the pattern operators so that a
-- parameterised range (~>=~ / ~<~) uses the index whatever the database's collation.
CREATE INDEX "indicators_value_pattern_idx" ON "indicators"("value" text_pattern_ops);
CREATE INDEX "indicators_value_reverse_idx" ON "indicators"(reverse("value") text_pattern_ops);
