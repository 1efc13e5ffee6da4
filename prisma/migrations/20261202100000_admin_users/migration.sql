-- Operators on /admin (issue #17, docs/accounts.md): suspension, last sign-in, and the audit log of
-- security-relevant actions.

-- A suspended account cannot sign in, its sessions have ended and its tokens are refused; NULL: not suspended.
ALTER TABLE "users" ADD COLUMN "suspended_at" TIMESTAMPTZ(3);
ALTER TABLE "users" ADD COLUMN "last_sign_in_at" TIMESTAMPTZ(3);

-- Written by lib/accounts/audit.ts only. Rows go with the account they are about (personal data:
-- addresses, user agents); an actor's deletion leaves the row without an actor. Kept AUDIT_RETENTION_DAYS
-- (lib/accounts/audit.ts), pruned as rows are written.
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_user_id" UUID,
    "subject_user_id" UUID,
    "action" TEXT NOT NULL,
    "ip" TEXT,
    "user_agent" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_events_subject_user_id_at_idx" ON "audit_events"("subject_user_id", "at");
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_user_id_fkey" FOREIGN KEY ("actor_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_subject_user_id_fkey" FOREIGN KEY ("subject_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
