// The site header: brand, public links, and the account links (components/dashboard/header-account).
import Link from 'next/link';
import { HeaderAccount } from './dashboard/header-account';

const links = [
  { href: '/threats', label: 'Threats' },
  { href: '/#plans', label: 'Plans' },
  { href: '/docs', label: 'API' },
];

export function SiteHeader() {
  return (
    <header className="border-b border-white/10 bg-ink-950/80 backdrop-blur">
      <nav className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight text-white">
          <span aria-hidden className="inline-block h-3 w-3 rounded-sm bg-brand-400 shadow-[0_0_12px] shadow-brand-400" />
          Sluice
        </Link>
        <div className="flex items-center gap-1 text-sm sm:gap-4">
          {links.map((link, i) => (
            <Link key={link.href} href={link.href} className={`${i ? 'hidden sm:inline' : ''} rounded px-2 py-1 text-slate-300 hover:text-white`}>
              {link.label}
            </Link>
          ))}
          <HeaderAccount />
        </div>
      </nav>
    </header>
  );
}
