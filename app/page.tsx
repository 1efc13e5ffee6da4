// Landing page: what Sluice is, live counters from the public stream, the plans, and how to start
// streaming. Rendered per request from the cached public totals (lib/threats), so the numbers are
// never older than a few seconds; the stream keeps them moving after that.
import Link from 'next/link';
import { LiveCounters } from '@/components/threats/live-counters';
import { toRowItem } from '@/components/threats/threat-row';
import { PLANS } from '@/lib/plans';
import { getRuntime } from '@/lib/runtime';
import { getCachedThreatTotals, getThreatsView } from '@/lib/threats';

export const dynamic = 'force-dynamic';

const streamExample = `import { io } from 'socket.io-client';

const socket = io('https://sluice.example.com/firehose', {
  transports: ['websocket'],
  auth: { token: process.env.SLUICE_TOKEN, filters: { types: ['ipv4', 'domain'] } },
});
socket.on('indicators', (events) => events.forEach((e) => console.log(e.indicator.value)));
socket.on('connect_error', (err) => console.error(err.data?.code ?? err.message));`;

const cliExample = `export SLUICE_URL=https://sluice.example.com SLUICE_TOKEN=slc_…
npx sluice stream --types ipv4,domain --format jsonl
npx sluice check 45.83.64.1`;

const steps = [
  { title: 'Report', body: 'Anyone submits indicators into their own feeds over the REST API or the CLI. Defanged input is fine.' },
  { title: 'Normalise', body: 'Every IP, domain, URL, email and hash is validated, de-duplicated and checked against a never-publish list.' },
  { title: 'Stream', body: 'Public sightings reach every Firehose token within milliseconds, in order, resumable from any cursor.' },
];

export default async function HomePage() {
  const { sql } = getRuntime().db;
  const [totals, { list }] = await Promise.all([getCachedThreatTotals(sql), getThreatsView(sql, { type: null, tag: null })]);
  const latest = [...list.items].sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : -1)).slice(0, 6).map(toRowItem);

  return (
    <div className="mx-auto max-w-6xl px-4 sm:px-6">
      <section className="pt-16 pb-10 sm:pt-24">
        <p className="mb-4 inline-block rounded-full border border-brand-500/40 bg-brand-500/10 px-3 py-1 text-xs font-medium text-brand-400">
          Self-hostable · open indicators · real-time
        </p>
        <h1 className="max-w-3xl text-4xl font-semibold tracking-tight text-white sm:text-6xl">The threat-intelligence firehose.</h1>
        <p className="mt-6 max-w-2xl text-lg text-slate-400">
          Sluice streams every public malicious IP, domain, URL, email and file hash to your API tokens the moment anyone reports it.
          Report into your own feeds, look anything up, resume from any cursor.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link href="/signup" className="rounded-md bg-brand-500 px-5 py-2.5 font-medium text-ink-950 hover:bg-brand-400">
            Create an account
          </Link>
          <Link href="/threats" className="rounded-md border border-white/15 px-5 py-2.5 font-medium text-white hover:bg-white/5">
            See what is being reported now
          </Link>
          <Link href="/docs" className="rounded-md px-5 py-2.5 font-medium text-slate-300 hover:text-white">
            Read the API docs →
          </Link>
        </div>
      </section>

      <section aria-label="Live numbers" className="pb-12">
        <LiveCounters
          indicators={totals.indicators}
          sightings24h={totals.sightings24h}
          lastMinute={totals.lastMinute}
          latest={latest}
          generatedAt={Date.parse(totals.generatedAt)}
        />
      </section>

      <section aria-labelledby="how" className="py-12">
        <h2 id="how" className="text-2xl font-semibold text-white">
          How it works
        </h2>
        <ol className="mt-6 grid grid-cols-1 gap-4 md:grid-cols-3">
          {steps.map((step, i) => (
            <li key={step.title} className="rounded-xl border border-white/10 bg-white/[0.02] p-5">
              <span className="text-xs font-semibold text-brand-400">0{i + 1}</span>
              <h3 className="mt-1 font-semibold text-white">{step.title}</h3>
              <p className="mt-2 text-sm text-slate-400">{step.body}</p>
            </li>
          ))}
        </ol>
      </section>

      <section id="plans" className="scroll-mt-16 py-12">
        <h2 className="text-2xl font-semibold text-white">Plans</h2>
        <div className="mt-6 grid grid-cols-1 gap-6 md:grid-cols-2">
          {Object.values(PLANS).map((plan) => (
            <div
              key={plan.id}
              className={`rounded-xl border p-6 ${plan.streaming ? 'border-brand-500/50 bg-brand-500/5' : 'border-white/10 bg-white/[0.02]'}`}
            >
              <div className="flex items-baseline justify-between">
                <h3 className="text-lg font-semibold text-white">{plan.name}</h3>
                <p className="text-2xl font-semibold text-white">
                  ${plan.priceMonthlyUsd}
                  <span className="text-sm font-normal text-slate-400">/month</span>
                </p>
              </div>
              <p className="mt-1 text-sm text-slate-400">{plan.tagline}</p>
              <ul className="mt-4 space-y-2 text-sm">
                {plan.features.map((feature) => (
                  <li key={feature} className="flex gap-2">
                    <span aria-hidden className="text-brand-400">
                      ✓
                    </span>
                    {feature}
                  </li>
                ))}
              </ul>
              <Link
                href="/signup"
                className={`mt-6 inline-block rounded-md px-4 py-2 text-sm font-medium ${
                  plan.streaming ? 'bg-brand-500 text-ink-950 hover:bg-brand-400' : 'border border-white/15 text-white hover:bg-white/5'
                }`}
              >
                {plan.streaming ? 'Start streaming' : 'Sign up free'}
              </Link>
            </div>
          ))}
        </div>
      </section>

      <section className="py-12">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="text-2xl font-semibold text-white">Start streaming in a minute</h2>
          <Link href="/docs" className="text-sm text-brand-400 hover:text-brand-100">
            Full API and protocol docs →
          </Link>
        </div>
        <div className="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
          <div className="min-w-0">
            <h3 className="mb-2 text-sm font-medium text-slate-300">With the CLI</h3>
            <pre className="overflow-x-auto rounded-lg border border-white/10 bg-black/40 p-4 font-mono text-xs text-slate-300">{cliExample}</pre>
          </div>
          <div className="min-w-0">
            <h3 className="mb-2 text-sm font-medium text-slate-300">With plain socket.io-client</h3>
            <pre className="overflow-x-auto rounded-lg border border-white/10 bg-black/40 p-4 font-mono text-xs text-slate-300">{streamExample}</pre>
          </div>
        </div>
      </section>
    </div>
  );
}
