// Escaping for the rule and zone formats. Indicator values are attacker-controlled text (the ingest
// path normalises them, but a format must never rely on that): every value is checked against the
// shape its line expects and escaped so that it stays inside its record, or it is left out.
import { isIP } from 'node:net';

const PRINTABLE_SAFE = /^[\x21-\x7e]+$/;

/** A value that can stand alone on one line of a plain list (no whitespace, no controls), else null. */
export function plainLine(value: string): string | null {
  return value.length > 0 && value.length <= 8192 && PRINTABLE_SAFE.test(value) ? value : null;
}

/**
 * An address or network for a rule's address field, or null: only what `net.isIP` accepts, with an
 * optional prefix length in range. Nothing else can reach a rule header.
 */
export function ruleAddress(value: string): string | null {
  const slash = value.indexOf('/');
  const addr = slash < 0 ? value : value.slice(0, slash);
  const kind = isIP(addr);
  if (!kind) return null;
  if (slash < 0) return addr;
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (kind === 4 ? 32 : 128)) return null;
  return `${addr}/${Number(bits)}`;
}

/**
 * Text for a rule option's quoted string (msg): `\`, `"` and `;` are escaped as Suricata and Snort
 * require; anything outside printable ASCII becomes `?`, so no byte can end the option or the rule.
 */
export function ruleMsg(text: string): string {
  let out = '';
  for (const ch of text.slice(0, 512)) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code > 0x7e) out += '?';
    else if (ch === '\\' || ch === '"' || ch === ';') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/**
 * A `content:"…"` pattern: letters, digits, `.`, `-` and `_` stay readable; every other byte
 * (quotes, `;`, `\`, `|`, spaces, controls, UTF-8) is written as hex between pipes (`|3b|`).
 */
export function ruleContent(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(ch) ? ch : `|${byte.toString(16).padStart(2, '0')}|`;
  }
  return out.replace(/\|\|/g, ' ');
}

/** The DNS wire form of a name as a content pattern: `|04|evil|07|example|00|`; null when not a valid name. */
export function dnsWireContent(domain: string): string | null {
  const labels = domain.split('.');
  const bytes = (l: string) => Buffer.byteLength(l, 'utf8');
  if (bytes(domain) > 253 || labels.some((l) => bytes(l) === 0 || bytes(l) > 63)) return null;
  const parts = labels.map((l) => `|${bytes(l).toString(16).padStart(2, '0')}|${ruleContent(l)}`);
  return `${parts.join('')}|00|`.replace(/\|\|/g, ' ');
}

/**
 * An owner name for a zone file record, relative to the zone's origin: each label's characters
 * outside letters, digits, `-` and `_` are written as `\DDD` (RFC 1035 §5.1), so `;`, `(`, `$`,
 * `@`, quotes, spaces and newlines cannot start a comment, a directive or a second record. Null when
 * it is not a name (empty labels, too long).
 */
export function zoneName(domain: string): string | null {
  const labels = domain.split('.');
  if (!domain || domain.length > 253 || labels.some((l) => l.length === 0)) return null;
  const out: string[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length > 63) return null;
    let s = '';
    for (const byte of bytes) {
      const ch = String.fromCharCode(byte);
      s += /[A-Za-z0-9_-]/.test(ch) ? ch : `\\${String(byte).padStart(3, '0')}`;
    }
    out.push(s);
  }
  return out.join('.');
}
