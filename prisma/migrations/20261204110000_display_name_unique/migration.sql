-- Display names are unique in any letter case (lib/accounts/update-display-name.ts): the index on
-- lower(display_name) becomes UNIQUE, so that two accounts asking for the same name at the same
-- moment cannot both get it (the check-then-write in the application raced). Names that several
-- accounts share already stay with the oldest account (then the smallest id); the others get a
-- fresh default name ("reporter-" and 12 random hex digits, as the column's default makes) and can
-- pick another on the dashboard.
UPDATE "users" u
SET "display_name" = 'reporter-' || substr(md5(random()::text || clock_timestamp()::text || u."id"::text), 1, 12)
WHERE EXISTS (
  SELECT 1 FROM "users" o
  WHERE lower(o."display_name") = lower(u."display_name")
    AND (o."created_at", o."id") < (u."created_at", u."id")
);
DROP INDEX "users_display_name_idx";
CREATE UNIQUE INDEX "users_display_name_key" ON "users"(lower("display_name"));
