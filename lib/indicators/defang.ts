// Display-only defanging so that indicators shown in the UI, e-mails or
// exports cannot be clicked or auto-linked. parseIndicator() refangs all of
// these forms, so parseIndicator(defang(t, v)) round-trips to (t, v).
import type { IndicatorType } from './types';

const dots = (s: string): string => s.replace(/\./g, '[.]');

function defangScheme(scheme: string): string {
  const lower = scheme.toLowerCase();
  if (lower === 'http') return 'hxxp';
  if (lower === 'https') return 'hxxps';
  if (lower === 'ftp') return 'fxp';
  return lower;
}

function defangUrl(value: string): string {
  const sep = value.indexOf('://');
  if (sep < 0) return dots(value);
  const scheme = defangScheme(value.slice(0, sep));
  const authStart = sep + 3;
  const end = value.slice(authStart).search(/[/?#\\]/);
  const authEnd = end < 0 ? value.length : authStart + end;
  const authority = value.slice(authStart, authEnd);
  // Only the host part is defanged; userinfo and path are left readable.
  const at = authority.lastIndexOf('@');
  const userinfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  return `${scheme}://${userinfo}${dots(hostPort)}${value.slice(authEnd)}`;
}

/** Returns a non-clickable rendering of a canonical indicator value. */
export function defang(type: IndicatorType, value: string): string {
  switch (type) {
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return value;
    case 'ipv4':
    case 'ipv6':
    case 'cidr':
    case 'domain':
      return dots(value);
    case 'url':
      return defangUrl(value);
    case 'email': {
      const at = value.lastIndexOf('@');
      if (at < 0) return dots(value);
      return `${value.slice(0, at)}[@]${dots(value.slice(at + 1))}`;
    }
    default:
      return dots(String(value));
  }
}
