'use client';
// The interactive REST reference of /docs/api: Swagger UI (swagger-ui-dist, served by this server
// under /docs/api/assets) rendering GET /api/v1/openapi.json. The bundle is loaded from this client
// component rather than an inline script, so the page's Content-Security-Policy (a nonce and
// 'strict-dynamic', lib/csp.ts) stays as strict as everywhere else, and client-side navigation to
// the page renders it too.
import { useEffect, useRef, useState } from 'react';

interface SwaggerUIBundleFn {
  (options: Record<string, unknown>): unknown;
  presets: { apis: unknown };
}

declare global {
  interface Window {
    SwaggerUIBundle?: SwaggerUIBundleFn;
  }
}

let loading: Promise<SwaggerUIBundleFn> | null = null;

function loadBundle(src: string): Promise<SwaggerUIBundleFn> {
  if (window.SwaggerUIBundle) return Promise.resolve(window.SwaggerUIBundle);
  loading ??= new Promise<SwaggerUIBundleFn>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    script.onload = () => (window.SwaggerUIBundle ? resolve(window.SwaggerUIBundle) : reject(new Error('Swagger UI did not load')));
    script.onerror = () => {
      loading = null;
      reject(new Error('Swagger UI could not be loaded'));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/** specUrl: the OpenAPI document; bundleUrl: swagger-ui-bundle.js on this host. */
export function ApiReference({ specUrl, bundleUrl }: { specUrl: string; bundleUrl: string }) {
  const node = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    loadBundle(bundleUrl).then(
      (SwaggerUIBundle) => {
        if (cancelled || !node.current) return;
        SwaggerUIBundle({
          url: specUrl,
          domNode: node.current,
          presets: [SwaggerUIBundle.presets.apis],
          layout: 'BaseLayout',
          // No badge fetched from validator.swagger.io: nothing leaves this host.
          validatorUrl: null,
          deepLinking: true,
          docExpansion: 'list',
          defaultModelsExpandDepth: 0,
          displayRequestDuration: true,
          persistAuthorization: false,
        });
      },
      (error: Error) => !cancelled && setFailed(error.message),
    );
    return () => {
      cancelled = true;
    };
  }, [specUrl, bundleUrl]);

  return (
    <div className="rounded-lg bg-white p-2 text-slate-900 sm:p-4">
      {failed ? (
        <p role="alert" className="p-4 text-sm">
          {failed}. The document itself is at <a href={specUrl} className="underline">{specUrl}</a>.
        </p>
      ) : null}
      <div ref={node} data-testid="api-reference" />
    </div>
  );
}
