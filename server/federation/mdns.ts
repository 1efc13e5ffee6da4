// Local-network discovery (docs/federation.md, "Discovery"), off unless FEDERATION_MDNS=true: the
// node announces this instance as a DNS-SD service `_sluice._tcp` (TXT: instance id, URL, name) and
// browses for others; each one found becomes a suggested peer introduced by "mdns"
// (lib/federation/discovery.ts). Nothing is linked without an operator's yes and a token.
import { hostname } from 'node:os';
import { Bonjour, type Service } from 'bonjour-service';
import { MDNS_INTRODUCER, recordSuggestions } from '../../lib/federation/discovery';
import { getInstanceId } from '../../lib/federation/instance';
import type { Runtime } from '../../lib/runtime';

export const MDNS_SERVICE_TYPE = 'sluice';

export interface MdnsDiscovery {
  stop(): Promise<void>;
}

/** A link name from what another instance announced: lower-case letters, digits and -. */
function suggestedName(raw: unknown, instance: string): string {
  const base = String(raw ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return /^[a-z0-9]/.test(base) ? base : `sluice-${instance.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8) || 'peer'}`;
}

export async function startMdnsDiscovery(runtime: Runtime, port: number): Promise<MdnsDiscovery> {
  const sql = runtime.db.sql;
  const log = runtime.logger.child({ module: 'federation-mdns' });
  const instance = await getInstanceId(sql);
  const url = (runtime.config.NEXTAUTH_URL ?? `http://${hostname()}:${port}`).replace(/\/+$/, '');
  const name = suggestedName(hostname(), instance);
  const bonjour = new Bonjour({}, (error: Error) => log.warn({ err: error }, 'mDNS error'));
  // The service name must be unique on the network: one per instance (and node, on a shared host).
  bonjour.publish({ name: `Sluice ${name} ${instance.slice(0, 8)} ${port}`, type: MDNS_SERVICE_TYPE, port, txt: { instance, url, name } });
  const browser = bonjour.find({ type: MDNS_SERVICE_TYPE }, (service: Service) => {
    const txt = (service.txt ?? {}) as Record<string, unknown>;
    const theirs = typeof txt.instance === 'string' ? txt.instance : null;
    if (!theirs || theirs === instance || typeof txt.url !== 'string') return;
    const peer = { name: suggestedName(txt.name, theirs), url: txt.url, instance: theirs };
    recordSuggestions(sql, instance, MDNS_INTRODUCER, [peer]).then(
      (recorded) => recorded && log.info({ peer }, 'found a Sluice instance on the local network (suggested peers: sluice admin peer suggestions)'),
      (error: unknown) => log.warn({ err: error }, 'could not record an instance found by mDNS'),
    );
  });
  log.info({ url, instance }, 'announcing this instance on the local network (mDNS) and browsing for others');
  return {
    async stop() {
      browser.stop();
      await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
      bonjour.destroy();
    },
  };
}
