// TAXII clients authenticate with HTTP Basic (any user name, the API token as the password) or with
// `Authorization: Bearer <token>` like the REST API.
import { parseBearer } from '../tokens';

export function taxiiToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const bearer = parseBearer(header);
  if (bearer) return bearer;
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]{1,2048})\s*$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? decoded : decoded.slice(colon + 1);
  return password || null;
}
