// Root layout: fonts are served from the geist package (next/font/local), never fetched.
import type { Metadata, Viewport } from 'next';
import { GeistMono } from 'geist/font/mono';
import { GeistSans } from 'geist/font/sans';
import { SiteHeader } from '@/components/site-header';
import { SiteFooter } from '@/components/site-footer';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Sluice — the threat-intelligence firehose', template: '%s · Sluice' },
  description:
    'Stream every public malicious IP, domain, URL, email and file hash the moment anyone reports it. Self-hostable.',
};

// Every page is rendered per request: the Content-Security-Policy nonce (proxy.ts) is new each
// time, and Next can only put it on its scripts while rendering. Public data comes from lib/threats'
// in-memory views, so this costs a render, not a database round trip.
export const dynamic = 'force-dynamic';

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#0b1120' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body className="flex min-h-screen flex-col font-sans">
        <SiteHeader />
        <main className="flex-1">{children}</main>
        <SiteFooter />
      </body>
    </html>
  );
}
