-- Account deletion by its owner with a cooling-off period (issue #17, docs/accounts.md): while
-- deletion_due_at is set the account's API tokens are refused and its streams ended; the sweep
-- (server/workers, lib/accounts/account-deletion.ts) deletes the account once it has passed.
ALTER TABLE "users" ADD COLUMN "deletion_requested_at" TIMESTAMPTZ(3);
ALTER TABLE "users" ADD COLUMN "deletion_due_at" TIMESTAMPTZ(3);
CREATE INDEX "users_deletion_due_at_idx" ON "users"("deletion_due_at");
