// /docs/api — the interactive REST reference: Swagger UI over GET /api/v1/openapi.json, served
// from this host (app/docs/api/assets, components/api-reference.tsx). The prose guide is /docs.
import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiReference } from '@/components/api-reference';

/** Served by app/docs/api/assets/[file]/route.ts from swagger-ui-dist. */
const ASSETS = '/docs/api/assets';

export const metadata: Metadata = {
  title: 'API reference',
  description: 'Every Sluice REST operation, its parameters, answers and error codes, generated from the code that validates them.',
};

export default function ApiReferencePage() {
  return (
    <div className="mx-auto max-w-6xl px-4 pt-8 pb-20 sm:px-6 sm:pt-12">
      {/* React hoists the stylesheet into <head>, on client-side navigation too. */}
      <link rel="stylesheet" href={`${ASSETS}/swagger-ui.css`} precedence="default" />
      <header className="mb-6">
        <p className="text-xs font-semibold tracking-[0.2em] text-brand-400 uppercase">Developers</p>
        <h1 className="mt-2 text-3xl font-semibold tracking-tight text-white sm:text-4xl">API reference</h1>
        <p className="mt-3 max-w-3xl text-slate-400">
          Every REST operation with its parameters, answers and error codes, generated from the zod schemas that validate them. Machine-readable:{' '}
          <a href="/api/v1/openapi.json" className="text-brand-400 hover:text-brand-100">OpenAPI 3.1</a> and, for the streams,{' '}
          <a href="/api/v1/asyncapi.json" className="text-brand-400 hover:text-brand-100">AsyncAPI 3</a>. The guide is at{' '}
          <Link href="/docs" className="text-brand-400 hover:text-brand-100">/docs</Link>; “Authorize” takes an API token (<code>slc_…</code>).
        </p>
      </header>
      <ApiReference specUrl="/api/v1/openapi.json" bundleUrl={`${ASSETS}/swagger-ui-bundle.js`} />
    </div>
  );
}
