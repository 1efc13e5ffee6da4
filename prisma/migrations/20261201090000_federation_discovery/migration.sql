-- Federation discovery (docs/federation.md, "Discovery"): a link may be introduced to this
-- instance's other peers (off by default), and peers introduced to us — over a link or found on the
-- local network by mDNS — wait as suggestions until an operator links to them with a token of theirs.

ALTER TABLE "peer_links" ADD COLUMN "introduce" BOOLEAN NOT NULL DEFAULT false;

-- One row per suggested instance (by URL). "introduced_by" names who introduced it: the links that
-- gossiped it, and/or "mdns" (found on the local network). A dismissed suggestion is kept so that gossip does not bring it back.
CREATE TABLE "peer_suggestions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "instance" TEXT,
    "introduced_by" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "dismissed" BOOLEAN NOT NULL DEFAULT false,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "peer_suggestions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "peer_suggestions_url_key" ON "peer_suggestions"("url");
