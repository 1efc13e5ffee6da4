import Link from 'next/link';

export function SiteFooter() {
  return (
    <footer className="border-t border-white/10 py-6 text-center text-xs text-slate-500">
      <nav aria-label="Developers" className="mb-2 flex justify-center gap-4">
        <Link href="/docs" className="hover:text-slate-300">API docs</Link>
        <Link href="/docs/api" className="hover:text-slate-300">API reference</Link>
        <a href="/api/v1/openapi.json" className="hover:text-slate-300">OpenAPI</a>
      </nav>
      Sluice — self-hostable threat-intelligence firehose. Indicator data includes{' '}
      <span className="text-slate-400">maltrail</span> trails (MIT).
    </footer>
  );
}
