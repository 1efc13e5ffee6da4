-- Network aggregation (lib/analyzers/network-aggregation.ts) counts the addresses of a /24 (IPv4) or
-- /48 (IPv6) that were publicly reported in a window. Until now it found them with range scans over
-- the text `value` (IPv4) or by testing every recently seen IPv6 indicator for containment, a cost
-- that grew with the table. The network of an address, as a real `cidr`, is now indexed: finding
-- the addresses of one network is one btree equality probe, whatever the size of the table.
CREATE FUNCTION "sluice_ip_network"(v text) RETURNS cidr
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $fn$ SELECT network(set_masklen(v::inet, CASE WHEN family(v::inet) = 4 THEN 24 ELSE 48 END)) $fn$;

CREATE INDEX "indicators_ip_network_idx" ON "indicators" ("sluice_ip_network"("value")) WHERE "type" IN ('ipv4', 'ipv6');
