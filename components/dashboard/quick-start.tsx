'use client';
// The dashboard's Quick start: each way to take the firehose, lightest first, with a command to copy
// — curl NDJSON, Server-Sent Events, a blocklist URL for a firewall, webhooks, socket.io and the CLI.
import { useState } from 'react';
import { Card, CardHeader, cx } from './ui';

interface Tier {
  id: string;
  title: string;
  hint: string;
  command: string;
  doc: string;
}

function tiers(baseUrl: string): Tier[] {
  return [
    {
      id: 'ndjson',
      title: 'curl, one event per line',
      hint: 'NDJSON over plain HTTP; resume with ?since=<cursor>.',
      command: `curl -N -H "Authorization: Bearer $SLUICE_TOKEN" \\\n  -H 'Accept: application/x-ndjson' "${baseUrl}/api/v1/stream"`,
      doc: 'docs/http-stream.md',
    },
    {
      id: 'sse',
      title: 'Server-Sent Events',
      hint: 'EventSource reconnects and resumes by itself (Last-Event-ID).',
      command: `const source = new EventSource(\`${baseUrl}/api/v1/stream?access_token=\${token}\`);\nsource.onmessage = (m) => console.log(JSON.parse(m.data));`,
      doc: 'docs/http-stream.md',
    },
    {
      id: 'blocklist',
      title: 'Blocklist for a firewall',
      hint: 'One value per line, refreshed every minute; ETag for cheap polling. Anonymous: delayed (Free); with a Firehose token: current.',
      command: `curl -H "Authorization: Bearer $SLUICE_TOKEN" \\\n  "${baseUrl}/api/v1/exports/ipv4.txt?minConfidence=50"\n# also domain.txt, rpz.zone, suricata.rules, snort.rules, indicators.csv`,
      doc: 'docs/exports.md',
    },
    {
      id: 'webhooks',
      title: 'Webhooks',
      hint: 'Signed batches POSTed to your HTTPS endpoint (SIEM, chat), retried, resumable.',
      command: `curl -X POST "${baseUrl}/api/v1/webhooks" -H "Authorization: Bearer $SLUICE_TOKEN" \\\n  -H 'content-type: application/json' -d '{"url":"https://hooks.example.com/sluice"}'`,
      doc: 'docs/webhooks.md',
    },
    {
      id: 'cli',
      title: 'socket.io and the CLI',
      hint: 'The full stream: live filters, cursors, de-duplication. --transport sse|ndjson|socketio.',
      command: `export SLUICE_URL=${baseUrl}\nexport SLUICE_TOKEN=slc_…\nnpx sluice stream --format jsonl\nnpx sluice check 203.0.113.7`,
      doc: 'README.md#streaming-the-firehose-protocol',
    },
  ];
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={`Copy: ${label}`}
      className="shrink-0 rounded-md border border-white/10 px-2 py-0.5 text-xs text-slate-300 hover:bg-white/10 hover:text-white"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

export function QuickStart({ baseUrl, className }: { baseUrl: string; className?: string }) {
  return (
    <Card className={cx(className)} data-testid="quick-start">
      <CardHeader title="Quick start" description="Pick the lightest way that fits; each needs a token with the right scope (stream for streams, read for exports)." />
      <ol className="divide-y divide-white/5">
        {tiers(baseUrl).map((tier) => (
          <li key={tier.id} className="px-5 py-4 sm:px-6">
            <div className="flex items-start justify-between gap-3">
              <div className="min-w-0">
                <h3 className="text-sm font-medium text-slate-100">{tier.title}</h3>
                <p className="mt-0.5 text-xs text-slate-400">{tier.hint}</p>
              </div>
              <CopyButton text={tier.command} label={tier.title} />
            </div>
            <pre className="mt-2 overflow-x-auto rounded-md bg-ink-950/60 px-3 py-2 font-mono text-xs leading-relaxed text-slate-300">{tier.command}</pre>
            <p className="mt-1 text-xs text-slate-500">
              Guide: <code>{tier.doc}</code>
            </p>
          </li>
        ))}
      </ol>
    </Card>
  );
}
