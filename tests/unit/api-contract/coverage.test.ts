// Every REST route under app/api/v1 declares its contract (lib/api-contract): each exported method
// handler is wrapped with withApiToken(handler, { contract }) or withPublicRoute(contract, handler),
// the contract's method and path match the file, and the contract is in the registry that the
// OpenAPI document is generated from. The failure names every route missing one.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTE_CONTRACT, type ContractedHandler } from '@/app/api/_lib/with-api-token';
import type { RouteContract } from '@/lib/api-contract/define';
import { API_CONTRACTS, SERVER_ROUTE_PATHS } from '@/lib/api-contract/registry';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return /^route\.(ts|tsx|js)$/.test(entry.name) ? [full] : [];
  });
}

/** app/api/v1/feeds/[slug]/route.ts → /api/v1/feeds/{slug} ([...value] and [[...value]] → {value}). */
function pathOf(file: string): string {
  const dir = path.relative(path.join(ROOT, 'app'), path.dirname(file)).split(path.sep);
  return '/' + dir.filter((part) => !/^\(.*\)$/.test(part)).map((part) => part.replace(/^\[\[?(?:\.\.\.)?([^\]]+)\]\]?$/, '{$1}')).join('/');
}

describe('API contracts', () => {
  const files = routeFiles(path.join(ROOT, 'app/api/v1'));

  it('finds the routes', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('every app/api/v1 route handler declares its contract, and the contract matches the file', async () => {
    const problems: string[] = [];
    const seen = new Set<RouteContract>();
    for (const file of files) {
      const rel = path.relative(ROOT, file);
      const mod = (await import(file)) as Record<string, unknown>;
      for (const method of METHODS) {
        const handler = mod[method] as ContractedHandler | undefined;
        if (typeof handler !== 'function') continue;
        const contract = handler[ROUTE_CONTRACT];
        if (!contract) {
          problems.push(
            `${method} ${pathOf(file)} (${rel}): no contract — declare one with defineRoute() in lib/api-contract/routes/, add it to API_CONTRACTS ` +
              `(lib/api-contract/registry.ts) and wrap the handler: withApiToken(handler, { contract }) or withPublicRoute(contract, handler)`,
          );
          continue;
        }
        seen.add(contract);
        if (contract.method !== method) problems.push(`${method} ${pathOf(file)} (${rel}): its contract says ${contract.method}`);
        if (contract.path !== pathOf(file)) problems.push(`${method} ${pathOf(file)} (${rel}): its contract's path is ${contract.path}`);
        if (!API_CONTRACTS.includes(contract)) problems.push(`${method} ${pathOf(file)} (${rel}): its contract is not in API_CONTRACTS (lib/api-contract/registry.ts)`);
      }
    }
    for (const contract of API_CONTRACTS) {
      if (!seen.has(contract) && !SERVER_ROUTE_PATHS.includes(contract.path)) {
        problems.push(`${contract.method} ${contract.path}: a contract in API_CONTRACTS that no route under app/api/v1 serves`);
      }
    }
    expect(problems, `routes whose contract is missing or wrong:\n${problems.join('\n')}`).toEqual([]);
  });

  it('operation ids are unique', () => {
    const ids = API_CONTRACTS.map((c) => c.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });
});
