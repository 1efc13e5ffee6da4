// Landing page: what Sluice is, the plans, and how to start streaming.
import Link from 'next/link';
import { PLANS } from '@/lib/plans';

const streamExample = `import { io } from 'socket.io-client';

const socket = io('https://sluice.example.com/firehose', {
  transports: ['websocket'],
  auth: { token: process.env.SLUICE_TOKEN, filters: { types: ['ipv4', 'domain'] } },
});
socket.on('indicators', (events) => events.forEach((e) => console.log(e.indicator.value)));
socket.on('connect_error', (err) => console.error(err.data?.code ?? err.message));`;

export default function HomePage() {
  return (
    <div className="mx-auto max-w-6xl px-4 sm:px-6">
      <section className="py-16 sm:py-24">
        <p className="mb-4 inline-block rounded-full border border-brand-500/40 bg-brand-500/10 px-3 py-1 text-xs font-medium text-brand-400">
          Self-hostable · open indicators · real-time
        </p>
        <h1 className="max-w-3xl text-4xl font-semibold tracking-tight text-white sm:text-6xl">
          The threat-intelligence firehose.
        </h1>
        <p className="mt-6 max-w-2xl text-lg text-slate-400">
          Sluice streams every public malicious IP, domain, URL, email and file hash to your API tokens the moment
          anyone reports it. Report into your own feeds, look anything up, resume from any cursor.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link href="/signup" className="rounded-md bg-brand-500 px-5 py-2.5 font-medium text-ink-950 hover:bg-brand-400">
            Create an account
          </Link>
          <Link href="/threats" className="rounded-md border border-white/15 px-5 py-2.5 font-medium text-white hover:bg-white/5">
            See what is being reported now
          </Link>
        </div>
      </section>

      <section id="plans" className="scroll-mt-16 py-12">
        <h2 className="text-2xl font-semibold text-white">Plans</h2>
        <div className="mt-6 grid gap-6 md:grid-cols-2">
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
                    <span aria-hidden className="text-brand-400">✓</span>
                    {feature}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      </section>

      <section className="py-12">
        <h2 className="text-2xl font-semibold text-white">Start streaming in a minute</h2>
        <div className="mt-6 grid gap-6 lg:grid-cols-2">
          <div>
            <h3 className="mb-2 text-sm font-medium text-slate-300">With the CLI</h3>
            <pre className="overflow-x-auto rounded-lg border border-white/10 bg-black/40 p-4 font-mono text-xs text-slate-300">
              {`npx sluice stream --url https://sluice.example.com \\\n  --token $SLUICE_TOKEN --types ipv4,domain --format jsonl`}
            </pre>
          </div>
          <div>
            <h3 className="mb-2 text-sm font-medium text-slate-300">With plain socket.io-client</h3>
            <pre className="overflow-x-auto rounded-lg border border-white/10 bg-black/40 p-4 font-mono text-xs text-slate-300">
              {streamExample}
            </pre>
          </div>
        </div>
      </section>
    </div>
  );
}
