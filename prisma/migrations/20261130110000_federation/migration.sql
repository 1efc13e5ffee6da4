-- Federation (docs/federation.md): this instance's id, peer links with their sharing rules, durable
-- cursors and leases, the origin of every event received from a peer (unique: never ingested
-- twice), and per-minute counters of events in and out per link.

-- Generated once, when this migration runs; every event this instance publishes carries it.
CREATE TABLE "federation_instance" (
    "singleton" BOOLEAN NOT NULL DEFAULT true,
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "federation_instance_pkey" PRIMARY KEY ("singleton"),
    CONSTRAINT "federation_instance_singleton_check" CHECK ("singleton")
);
INSERT INTO "federation_instance" DEFAULT VALUES;

-- One row per link to a remote instance. "token" is the remote's peer token (needed to connect);
-- "inbound_token_id" is the local peer token the remote uses to connect here (outbound rules apply
-- to it). The runner holding "lease_owner" until "lease_until" is the only one running the link.
CREATE TABLE "peer_links" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "token" TEXT,
    "inbound_token_id" UUID,
    "community" BOOLEAN NOT NULL DEFAULT false,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "outbound" JSONB NOT NULL DEFAULT '{}',
    "inbound" JSONB NOT NULL DEFAULT '{}',
    "cursor" TEXT,
    "remote_instance" TEXT,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "connected" BOOLEAN NOT NULL DEFAULT false,
    "last_event_at" TIMESTAMPTZ(3),
    "lag_ms" INTEGER,
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "peer_links_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "peer_links_name_key" ON "peer_links"("name");
CREATE UNIQUE INDEX "peer_links_inbound_token_id_key" ON "peer_links"("inbound_token_id");
ALTER TABLE "peer_links" ADD CONSTRAINT "peer_links_inbound_token_id_fkey" FOREIGN KEY ("inbound_token_id") REFERENCES "api_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The origin of every event ingested from a peer, claimed in the ingest transaction: the primary
-- key is what makes an event that arrives twice (two paths, a replay) ingested once.
CREATE TABLE "federated_events" (
    "origin_instance" TEXT NOT NULL,
    "origin_event_id" TEXT NOT NULL,
    "hops" INTEGER NOT NULL,
    "reporters" INTEGER,
    "link_name" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "federated_events_pkey" PRIMARY KEY ("origin_instance", "origin_event_id")
);
CREATE INDEX "federated_events_received_at_idx" ON "federated_events"("received_at");

-- Events received from (in) and sent to (out) each link, per minute, summed over every node.
CREATE TABLE "peer_link_minutes" (
    "link_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "events_in" INTEGER NOT NULL DEFAULT 0,
    "events_out" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "peer_link_minutes_pkey" PRIMARY KEY ("link_id", "minute")
);
ALTER TABLE "peer_link_minutes" ADD CONSTRAINT "peer_link_minutes_link_id_fkey" FOREIGN KEY ("link_id") REFERENCES "peer_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;
