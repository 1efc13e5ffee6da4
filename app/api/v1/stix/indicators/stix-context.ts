// What the STIX routes need besides the request: the instance's identity and the types' lifetimes.
import type { Runtime } from '@/lib/runtime';
import { getStixInstance, type StixContext } from '@/lib/stix';
import { STIX_MEDIA_TYPE } from '@/lib/taxii/media';
import { defaultTrustPolicy } from '@/lib/trust/policy';

export async function stixContext(runtime: Runtime): Promise<StixContext> {
  return { instance: await getStixInstance(runtime.db.sql, { baseUrl: runtime.config.NEXTAUTH_URL }), lifetimes: defaultTrustPolicy().lifetimes };
}

export function stixResponse(body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': STIX_MEDIA_TYPE, 'cache-control': 'no-store', ...headers } });
}
