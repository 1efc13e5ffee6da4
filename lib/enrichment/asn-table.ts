// The IP → AS number and organisation table, built once per process from the CSV files of
// @ip-location-db/asn (inclusive ranges, one per line: start,end,asn,organisation). Ranges live in
// typed arrays searched by bisection; each organisation name is decoded once per AS number (the data
// has one name per AS), so the table costs a few MB and a lookup a few hundred nanoseconds.
export interface AsnRecord {
  asn: number;
  /** The AS organisation's name; absent when the data has none. */
  name?: string;
}

export interface AsnTable {
  /** Ranges loaded: IPv4 and IPv6. */
  readonly size: { ipv4: number; ipv6: number };
  /** The AS announcing `bytes` (4 or 16 network-order bytes), or null. */
  lookup(bytes: readonly number[]): AsnRecord | null;
}

const COMMA = 44;
const NEWLINE = 10;
const CR = 13;
const QUOTE = 34;

class Names {
  readonly byAsn = new Map<number, string>();
  /** Decodes a CSV cell (quoted or not) the first time its AS number is seen. */
  note(asn: number, buf: Buffer, from: number, to: number): void {
    if (this.byAsn.has(asn) || from >= to) return;
    let name = buf.toString('utf8', from, to);
    if (buf[from] === QUOTE) name = name.slice(1, -1).replaceAll('""', '"');
    name = name.trim();
    if (name) this.byAsn.set(asn, name);
  }
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === NEWLINE) n++;
  return buf.length && buf[buf.length - 1] !== NEWLINE ? n + 1 : n;
}

/** End of the line starting at `p` (the newline's index, or the buffer's end). */
function lineEnd(buf: Buffer, p: number): number {
  const nl = buf.indexOf(NEWLINE, p);
  return nl < 0 ? buf.length : nl;
}

function cellEnd(buf: Buffer, from: number, to: number): number {
  return buf[to - 1] === CR ? to - 1 : to;
}

/** asn-ipv4-num.csv: decimal start,end. Lines that do not parse are skipped. */
function parseIpv4(buf: Buffer, names: Names) {
  const max = countLines(buf);
  const start = new Uint32Array(max);
  const end = new Uint32Array(max);
  const asn = new Uint32Array(max);
  let n = 0;
  for (let p = 0; p < buf.length; ) {
    const eol = lineEnd(buf, p);
    if (readNumbers(buf, p, eol, 3) && SCRATCH[0] <= SCRATCH[1] && SCRATCH[1] <= 0xffffffff && SCRATCH[2] <= 0xffffffff) {
      start[n] = SCRATCH[0];
      end[n] = SCRATCH[1];
      asn[n] = SCRATCH[2];
      names.note(asn[n], buf, scratchNext, cellEnd(buf, scratchNext, eol));
      n++;
    }
    p = eol + 1;
  }
  return repairOverlaps(
    { start: start.subarray(0, n), end: end.subarray(0, n), asn: asn.subarray(0, n) },
    1,
    (i, j) => (start[i] < start[j] ? -1 : start[i] > start[j] ? 1 : 0),
  );
}

// The integers and the position after them, of the last readNumbers call (no allocation per line).
const SCRATCH = [0, 0, 0];
let scratchNext = 0;
/** Reads `count` comma-terminated decimal integers from [p, eol) into SCRATCH; false when one is not. */
function readNumbers(buf: Buffer, p: number, eol: number, count: number): boolean {
  for (let k = 0; k < count; k++) {
    let v = 0;
    let digits = 0;
    while (p < eol && buf[p] !== COMMA) {
      const d = buf[p] - 48;
      if (d < 0 || d > 9 || digits === 10) return false;
      v = v * 10 + d;
      digits++;
      p++;
    }
    if (!digits || p >= eol) return false;
    SCRATCH[k] = v;
    p++; // the comma
  }
  scratchNext = p;
  return true;
}

/** asn-ipv6.csv: textual start,end (RFC 4291 forms, no embedded IPv4), as four 32-bit words each. */
function parseIpv6(buf: Buffer, names: Names) {
  const max = countLines(buf);
  const start = new Uint32Array(max * 4);
  const end = new Uint32Array(max * 4);
  const asn = new Uint32Array(max);
  let n = 0;
  for (let p = 0; p < buf.length; ) {
    const eol = lineEnd(buf, p);
    const c1 = buf.indexOf(COMMA, p);
    const c2 = c1 < 0 ? -1 : buf.indexOf(COMMA, c1 + 1);
    const c3 = c2 < 0 ? -1 : buf.indexOf(COMMA, c2 + 1);
    if (c3 > 0 && c3 < eol && hexWords(buf, p, c1, start, n * 4) && hexWords(buf, c1 + 1, c2, end, n * 4)) {
      if (readNumbers(buf, c2 + 1, eol, 1) && SCRATCH[0] <= 0xffffffff && compareWords(start, n * 4, end, n * 4) <= 0) {
        asn[n] = SCRATCH[0];
        names.note(asn[n], buf, c3 + 1, cellEnd(buf, c3 + 1, eol));
        n++;
      }
    }
    p = eol + 1;
  }
  return repairOverlaps({ start: start.subarray(0, n * 4), end: end.subarray(0, n * 4), asn: asn.subarray(0, n) }, 4, (i, j) =>
    compareWords(start, i * 4, start, j * 4),
  );
}

const GROUPS = new Uint16Array(8);
/** Parses an IPv6 address in [from, to) into four words at `out[at]`; false when it is not one. */
function hexWords(buf: Buffer, from: number, to: number, out: Uint32Array, at: number): boolean {
  let count = 0;
  let gap = -1;
  let p = from;
  if (buf[p] === 58 && buf[p + 1] === 58) {
    gap = 0;
    p += 2;
  }
  while (p < to) {
    let v = 0;
    let digits = 0;
    while (p < to && buf[p] !== 58) {
      const c = buf[p] | 0x20;
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0 || digits === 4) return false;
      v = (v << 4) | d;
      digits++;
      p++;
    }
    if (!digits || count === 8) return false;
    GROUPS[count++] = v;
    if (p < to) {
      p++; // ':'
      if (buf[p] === 58) {
        if (gap >= 0) return false;
        gap = count;
        p++;
      } else if (p >= to) return false;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  // Expand "::": the groups after the gap move to the end, zeros fill the gap.
  if (gap >= 0) {
    const tail = count - gap;
    for (let k = 0; k < tail; k++) GROUPS[7 - k] = GROUPS[count - 1 - k];
    for (let k = gap; k < 8 - tail; k++) GROUPS[k] = 0;
  }
  for (let w = 0; w < 4; w++) out[at + w] = ((GROUPS[w * 2] << 16) | GROUPS[w * 2 + 1]) >>> 0;
  return true;
}

function compareWords(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let w = 0; w < 4; w++) {
    if (a[i + w] !== b[j + w]) return a[i + w] < b[j + w] ? -1 : 1;
  }
  return 0;
}

interface Ranges {
  start: Uint32Array;
  end: Uint32Array;
  asn: Uint32Array;
}

/**
 * Keeps the ranges sorted and disjoint so that bisection finds the one range holding an address:
 * the published files are sorted but a few ranges overlap the one before (e.g. a /12 and a more
 * specific block inside it); there the later, more specific range wins and the earlier one ends
 * where it begins.
 */
function repairOverlaps(r: Ranges, width: 1 | 4, compareStarts: (i: number, j: number) => number): Ranges {
  const n = r.asn.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = compareStarts(i - 1, i) <= 0;
  if (!sorted) throw new Error('the AS number database is not sorted by range start');
  for (let i = 1; i < n; i++) {
    if (width === 1) {
      if (r.start[i] <= r.end[i - 1]) r.end[i - 1] = Math.max(0, r.start[i] - 1);
    } else if (compareWords(r.start, i * 4, r.end, (i - 1) * 4) <= 0) {
      decrementWords(r.start, i * 4, r.end, (i - 1) * 4);
    }
  }
  return r;
}

/** out[at..at+4] = src[from..from+4] - 1 (128-bit). */
function decrementWords(src: Uint32Array, from: number, out: Uint32Array, at: number) {
  let borrow = 1;
  for (let w = 3; w >= 0; w--) {
    const v = src[from + w] - borrow;
    borrow = v < 0 ? 1 : 0;
    out[at + w] = v >>> 0;
  }
}

/** Builds the table from the two CSV files' bytes. */
export function buildAsnTable(ipv4Csv: Buffer, ipv6Csv: Buffer): AsnTable {
  const names = new Names();
  const v4 = parseIpv4(ipv4Csv, names);
  const v6 = parseIpv6(ipv6Csv, names);
  const key = new Uint32Array(4);
  const record = (asn: number): AsnRecord => {
    const name = names.byAsn.get(asn);
    return name ? { asn, name } : { asn };
  };
  return {
    size: { ipv4: v4.asn.length, ipv6: v6.asn.length },
    lookup(bytes) {
      if (bytes.length === 4) {
        const ip = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
        // The last range starting at or before ip.
        let lo = 0;
        let hi = v4.asn.length - 1;
        let found = -1;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          if (v4.start[mid] <= ip) {
            found = mid;
            lo = mid + 1;
          } else hi = mid - 1;
        }
        return found >= 0 && ip <= v4.end[found] ? record(v4.asn[found]) : null;
      }
      if (bytes.length !== 16) return null;
      for (let w = 0; w < 4; w++) key[w] = ((bytes[w * 4] << 24) | (bytes[w * 4 + 1] << 16) | (bytes[w * 4 + 2] << 8) | bytes[w * 4 + 3]) >>> 0;
      let lo = 0;
      let hi = v6.asn.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (compareWords(v6.start, mid * 4, key, 0) <= 0) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return found >= 0 && compareWords(key, 0, v6.end, found * 4) <= 0 ? record(v6.asn[found]) : null;
    },
  };
}
