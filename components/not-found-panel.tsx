// The body of a 404 in the site's style: a title, a line of explanation, and where to go next.
import Link from 'next/link';

export function NotFoundPanel({ title, children }: { title: React.ReactNode; children?: React.ReactNode }) {
  return (
    <div className="mx-auto max-w-3xl px-4 pt-16 pb-24 sm:px-6 sm:pt-24">
      <p className="text-xs font-semibold tracking-[0.2em] text-brand-400 uppercase">404 · not found</p>
      <h1 className="mt-3 text-3xl font-semibold tracking-tight break-words text-white sm:text-4xl">{title}</h1>
      {children}
      <nav aria-label="Where next" className="mt-10 flex flex-wrap gap-3 text-sm">
        <Link href="/" className="rounded-md border border-white/15 px-4 py-2 font-medium text-white hover:bg-white/5">
          Home
        </Link>
        <Link href="/threats" className="rounded-md border border-white/15 px-4 py-2 font-medium text-white hover:bg-white/5">
          What is being reported now
        </Link>
        <Link href="/docs" className="rounded-md px-4 py-2 font-medium text-slate-300 hover:text-white">
          API docs →
        </Link>
      </nav>
    </div>
  );
}
