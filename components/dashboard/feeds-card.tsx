// The user's feeds, read-only here (feeds are managed through the REST API).
import type { UserFeed } from '@/lib/accounts/find-user-feeds';
import { Badge, Card, CardHeader } from './ui';

const TLP_TONE = { CLEAR: 'green', GREEN: 'green', AMBER: 'amber', RED: 'rose' } as const;

export function FeedsCard({ feeds, baseUrl }: { feeds: UserFeed[]; baseUrl: string }) {
  return (
    <Card aria-labelledby="feeds-title">
      <CardHeader title="Your feeds" description="Public feeds (TLP:CLEAR) enter the firehose; GREEN, AMBER and RED stay yours." />
      <h2 id="feeds-title" className="sr-only">Your feeds</h2>
      {feeds.length === 0 ? (
        <div className="px-6 py-10 text-center">
          <p className="font-medium text-white">No feeds yet</p>
          <p className="mx-auto mt-1 max-w-md text-sm text-slate-400">Create one with a token that has the submit scope:</p>
          <pre className="mx-auto mt-4 max-w-md overflow-x-auto rounded-lg border border-white/10 bg-ink-950/80 p-3 text-left font-mono text-xs text-slate-300">
{`curl -X POST ${baseUrl}/api/v1/feeds \\
  -H "Authorization: Bearer $SLUICE_TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"slug":"honeypot","name":"Honeypot"}'`}
          </pre>
        </div>
      ) : (
        <ul className="divide-y divide-white/5">
          {feeds.map((feed) => (
            <li key={feed.id} className="flex items-center gap-3 px-5 py-3.5 sm:px-6">
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium text-white">{feed.name}</p>
                <p className="truncate font-mono text-xs text-slate-500">{feed.slug}</p>
              </div>
              <span className="text-sm tabular-nums text-slate-400">{feed.sightings.toLocaleString('en')} sightings</span>
              <Badge tone={TLP_TONE[feed.tlp]}>TLP:{feed.tlp}</Badge>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
