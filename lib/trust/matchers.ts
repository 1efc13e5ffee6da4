// Warning-list matchers, compiled once per load (docs/trust.md). MISP list types:
//   cidr     → sorted, merged address ranges per list (Uint32 pairs for IPv4, bigint pairs for IPv6),
//              one binary search per list and address; a reported network hits when it overlaps.
//   hostname → the name or any subdomain: a suffix walk ("a.b.c" → "b.c" → "c") over one map of
//              every name list's entries, so the cost does not grow with the number of lists.
//   string   → exact value (case-insensitive); a leading "." or "*." means "and its subdomains".
// Pure: no I/O. A hit is a warning, not a verdict (lib/ingest holds the value from the firehose).
import { parseIP, parseNetwork, type IpNetwork } from '../indicators/net';
import type { IndicatorType } from '../indicators/types';

export type MispListType = 'cidr' | 'hostname' | 'string' | 'regex' | 'substring';

/** A MISP warning list as published (the fields Sluice uses). */
export interface MispWarningList {
  name: string;
  description?: string;
  type: MispListType;
  list: string[];
  matching_attributes?: string[];
  version?: number;
}

export interface WarningListSource {
  /** Stable id: the file name without `.json` (e.g. "public-dns-v4"). */
  id: string;
  list: MispWarningList;
  /** Domain lists whose entries cover the exact name (and "www." + name) only, not every subdomain. */
  exactHosts?: boolean;
}

interface CompiledList {
  id: string;
  name: string;
  type: MispListType;
  entries: number;
  v4: Uint32Array; // [start0, end0, start1, end1, ...], sorted, merged
  v6: bigint[]; // same layout
  exact: Set<string>; // hostnames / strings / hashes
  suffix: Set<string>; // names whose subdomains also match
  /** Whether the list applies to a URL whose path is "/" (a bare site). */
  urls: boolean;
}

export interface CompiledWarningLists {
  readonly lists: readonly { id: string; name: string; type: MispListType; entries: number }[];
  /** Ids of the lists the value hits, in load order; empty when none. Never throws. */
  match(type: IndicatorType, value: string): string[];
}

const v4ToInt = (bytes: readonly number[]) => ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
const v6ToBig = (bytes: readonly number[]) => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

function v4Range(net: IpNetwork): [number, number] {
  const start = v4ToInt(net.bytes);
  const size = net.prefix === 0 ? 0x1_0000_0000 : 2 ** (32 - net.prefix);
  const base = Math.floor(start / size) * size;
  return [base, base + size - 1];
}

function v6Range(net: IpNetwork): [bigint, bigint] {
  const start = v6ToBig(net.bytes);
  const hostBits = BigInt(128 - net.prefix);
  const base = (start >> hostBits) << hostBits;
  return [base, base + (1n << hostBits) - 1n];
}

function merge<T extends number | bigint>(ranges: [T, T][]): [T, T][] {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [T, T][] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) {
      if (r[1] > last[1]) last[1] = r[1];
    } else out.push([r[0], r[1]]);
  }
  return out;
}

/** Whether [lo, hi] overlaps any range of the flat sorted array. */
function overlaps<T extends number | bigint>(flat: ArrayLike<T>, lo: T, hi: T): boolean {
  // The first range whose end >= lo.
  let a = 0;
  let b = flat.length / 2;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (flat[mid * 2 + 1] < lo) a = mid + 1;
    else b = mid;
  }
  return a < flat.length / 2 && flat[a * 2] <= hi;
}

function normaliseName(entry: string): { name: string; subdomains: boolean } | null {
  let s = entry.trim().toLowerCase();
  let subdomains = false;
  if (s.startsWith('*.')) {
    s = s.slice(2);
    subdomains = true;
  } else if (s.startsWith('.')) {
    s = s.slice(1);
    subdomains = true;
  }
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (!s || /[\s/]/.test(s)) return null;
  return { name: s, subdomains };
}

function compileList(source: WarningListSource): CompiledList {
  const { list } = source;
  const compiled: CompiledList = {
    id: source.id,
    name: list.name,
    type: list.type,
    entries: list.list.length,
    v4: new Uint32Array(0),
    v6: [],
    exact: new Set(),
    suffix: new Set(),
    urls: (list.matching_attributes ?? []).some((a) => a === 'url' || a === 'uri'),
  };
  if (list.type === 'cidr') {
    const r4: [number, number][] = [];
    const r6: [bigint, bigint][] = [];
    for (const entry of list.list) {
      const net = parseNetwork(entry.trim());
      if (!net) continue;
      if (net.version === 4) r4.push(v4Range(net));
      else r6.push(v6Range(net));
    }
    compiled.v4 = Uint32Array.from(merge(r4).flat());
    compiled.v6 = merge(r6).flat();
  } else if (list.type === 'hostname' || list.type === 'string') {
    for (const entry of list.list) {
      if (list.type === 'string' && !entry.startsWith('.') && !entry.startsWith('*.')) {
        compiled.exact.add(entry.trim().toLowerCase());
        continue;
      }
      const n = normaliseName(entry);
      if (!n) continue;
      if (list.type === 'hostname' && source.exactHosts) {
        compiled.exact.add(n.name);
        compiled.exact.add(`www.${n.name}`);
      } else if (list.type === 'hostname' || n.subdomains) {
        compiled.suffix.add(n.name);
      } else compiled.exact.add(n.name);
    }
  }
  // regex / substring lists are not compiled (none of the shipped lists uses them).
  return compiled;
}

function ipHits(list: CompiledList, network: IpNetwork): boolean {
  if (network.version === 4) {
    if (!list.v4.length) return false;
    const [lo, hi] = v4Range(network);
    return overlaps(list.v4, lo, hi);
  }
  if (!list.v6.length) return false;
  const [lo, hi] = v6Range(network);
  return overlaps(list.v6, lo, hi);
}

/** The host of a URL that names a whole site ("https://google.com/"), else null. */
function bareSiteHost(value: string): string | null {
  // Most reported URLs have a path: skip the URL parser for them (a cheap test, before the exact one).
  const start = value.indexOf('://');
  const slash = start < 0 ? -1 : value.indexOf('/', start + 3);
  if (slash >= 0 && slash < value.length - 1) return null;
  try {
    const url = new URL(value);
    if ((url.pathname === '/' || url.pathname === '') && !url.search && !url.hash) return url.hostname;
  } catch {
    // not a URL
  }
  return null;
}

export function compileWarningLists(sources: readonly WarningListSource[]): CompiledWarningLists {
  const lists = sources.map(compileList);
  const byIp = lists.filter((l) => l.type === 'cidr');
  // Every name list folded into two maps (name → the lists that hold it, in load order): one lookup
  // and one suffix walk per value, whatever the number of lists.
  const exact = new Map<string, number[]>();
  const suffix = new Map<string, number[]>();
  lists.forEach((l, i) => {
    if (l.type !== 'hostname' && l.type !== 'string') return;
    for (const name of l.exact) (exact.get(name) ?? exact.set(name, []).get(name)!).push(i);
    for (const name of l.suffix) (suffix.get(name) ?? suffix.set(name, []).get(name)!).push(i);
  });
  const ids = (hits: number[], forUrl: boolean): string[] => {
    if (!hits.length) return [];
    const unique = [...new Set(hits)].sort((a, b) => a - b);
    return (forUrl ? unique.filter((i) => lists[i].urls) : unique).map((i) => lists[i].id);
  };

  const matchHost = (host: string, forUrl: boolean): string[] => {
    const h = host.toLowerCase().replace(/\.$/, '');
    if (h.startsWith('[') && h.endsWith(']')) return matchIp(h.slice(1, -1));
    if (/^\d+\.\d+\.\d+\.\d+$/.test(h)) return matchIp(h);
    const hits: number[] = [];
    const e = exact.get(h);
    if (e) hits.push(...e);
    if (suffix.size) {
      for (let candidate = h; ; ) {
        const s = suffix.get(candidate);
        if (s) hits.push(...s);
        const dot = candidate.indexOf('.');
        if (dot < 0) break;
        candidate = candidate.slice(dot + 1);
      }
    }
    return ids(hits, forUrl);
  };
  const matchIp = (text: string): string[] => {
    const ip = parseIP(text);
    if (!ip) return [];
    const net: IpNetwork = { version: ip.version, bytes: ip.bytes, prefix: ip.version === 4 ? 32 : 128 };
    return byIp.filter((l) => ipHits(l, net)).map((l) => l.id);
  };

  return {
    lists: lists.map(({ id, name, type, entries }) => ({ id, name, type, entries })),
    match(type, value) {
      try {
        switch (type) {
          case 'ipv4':
          case 'ipv6':
            return matchIp(value);
          case 'cidr': {
            const net = parseNetwork(value);
            return net ? byIp.filter((l) => ipHits(l, net)).map((l) => l.id) : [];
          }
          case 'domain':
            return matchHost(value, false);
          case 'url': {
            const host = bareSiteHost(value);
            return host ? matchHost(host, true) : [];
          }
          case 'md5':
          case 'sha1':
          case 'sha256':
          case 'sha512': {
            return ids(exact.get(value.toLowerCase()) ?? [], false);
          }
          default:
            return [];
        }
      } catch {
        return [];
      }
    },
  };
}
