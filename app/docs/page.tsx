// /docs — the API at a glance: REST endpoints, the realtime protocol, public pages and exports,
// and the CLI. The long forms live in docs/api.md and docs/streaming.md; keep both in step.
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';

export const metadata: Metadata = {
  title: 'API docs',
  description: 'The Sluice REST API, the socket.io firehose protocol, public exports and the CLI.',
};

const sections = [
  { id: 'auth', title: 'Authentication' },
  { id: 'rest', title: 'REST endpoints' },
  { id: 'submit', title: 'Submitting' },
  { id: 'realtime', title: 'Realtime firehose' },
  { id: 'public', title: 'Public pages & exports' },
  { id: 'cli', title: 'CLI' },
];

const endpoints: [string, string, string, string][] = [
  ['POST', '/api/v1/feeds', 'submit', 'Create a feed: { slug, name?, description?, tlp? } → 201 { feed }; 409 feed_exists.'],
  ['GET', '/api/v1/feeds', 'read', 'Your feeds: { feeds: [...] }.'],
  ['GET', '/api/v1/feeds/{slug}', 'read', 'One of your feeds; 404 feed_not_found for a missing feed and for anyone else’s.'],
  ['PATCH', '/api/v1/feeds/{slug}', 'submit', 'Change name, description, tlp (later sightings only).'],
  ['DELETE', '/api/v1/feeds/{slug}', 'submit', '204; deletes its sightings (published events stay in the log).'],
  ['POST', '/api/v1/feeds/{slug}/indicators', 'submit', 'Report up to 1,000 indicators (JSON or text/plain, 1 MB); per-item results, partial acceptance.'],
  ['GET', '/api/v1/indicators', 'read', 'Search: type, tag, feed, since, limit (1–500), cursor → { indicators, next }.'],
  ['GET', '/api/v1/check/{value}', 'read', 'One indicator, defanged or not (encodeURIComponent it): { known, … }.'],
];

const submitExample = `curl -X POST "$SLUICE_URL/api/v1/feeds/my-feed/indicators" \\
  -H "Authorization: Bearer $SLUICE_TOKEN" -H 'Content-Type: application/json' \\
  -d '{ "indicators": [
        { "value": "hxxp://evil[.]example.net/login", "tags": ["phishing"], "confidence": 80 },
        "45.33.32.156" ] }'`;

const answerExample = `{ "feed": "my-feed", "public": true, "accepted": 2, "rejected": 0, "results": [
  { "index": 0, "status": "accepted", "type": "url", "value": "http://evil.example.net/login",
    "kind": "new", "eventId": "5b0c…" }, … ] }`;

const streamExample = `import { io } from 'socket.io-client';

let cursor = null; // the last cursor you processed

const socket = io(\`\${process.env.SLUICE_URL}/firehose\`, {
  transports: ['websocket'],
  // A function, so that every reconnection resumes after the last cursor.
  auth: (cb) => cb({ token: process.env.SLUICE_TOKEN, since: cursor ?? undefined,
                     filters: { types: ['ipv4', 'domain'], minConfidence: 50 } }),
});
socket.on('indicators', (events) => {
  for (const e of events) { console.log(e.kind, e.indicator.type, e.indicator.value); cursor = e.cursor; }
});
socket.on('connect_error', (err) => console.error('refused:', err.data?.code, err.data?.message));
socket.on('stream:ended', ({ reason }) => console.error('ended:', reason));`;

const eventExample = `{ "id": "5b0c0e5e-…", "cursor": "1795311570422-0", "kind": "new",
  "indicator": { "type": "domain", "value": "evil.example.net", "tags": ["phishing"],
                 "confidence": 80, "firstSeen": "…", "lastSeen": "…", "count": 1 },
  "feed": { "slug": "phish", "owner": "<owner user id>" }, "reportedAt": "…" }`;

const cliExample = `export SLUICE_URL=http://localhost:3000 SLUICE_TOKEN=slc_…
npx sluice stream --types ipv4,domain --tags botnet --format jsonl   # or csv; --since <cursor>, --limit n
npx sluice submit my-feed indicators.txt                             # or - for stdin; --tags, --confidence
npx sluice check 45.83.64.1                                          # --json for the full answer

# operators, on the configured database (or through the running embedded server):
npx sluice admin user create --email ops@example.com --password '…' --plan firehose
npx sluice admin token create --email ops@example.com --name laptop --scopes stream,read`;

function Code({ children }: { children: string }) {
  return <pre className="mt-3 overflow-x-auto rounded-lg border border-white/10 bg-black/40 p-4 font-mono text-xs leading-5 text-slate-300">{children}</pre>;
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} className="scroll-mt-20 border-t border-white/5 pt-10">
      <h2 className="text-xl font-semibold text-white">{title}</h2>
      <div className="mt-3 space-y-3 text-sm leading-6 text-slate-300">{children}</div>
    </section>
  );
}

const C = ({ children }: { children: ReactNode }) => <code className="rounded bg-white/5 px-1 py-0.5 font-mono text-[0.85em] text-slate-100">{children}</code>;

export default function DocsPage() {
  return (
    <div className="mx-auto max-w-6xl px-4 pt-8 pb-20 sm:px-6 sm:pt-12 lg:grid lg:grid-cols-[12rem_minmax(0,1fr)] lg:gap-12">
      <aside className="hidden lg:block">
        <nav aria-label="On this page" className="sticky top-20 space-y-1 text-sm">
          {sections.map((s) => (
            <a key={s.id} href={`#${s.id}`} className="block rounded px-2 py-1 text-slate-400 hover:bg-white/5 hover:text-white">
              {s.title}
            </a>
          ))}
        </nav>
      </aside>
      <div className="min-w-0 space-y-10">
        <header>
          <p className="text-xs font-semibold tracking-[0.2em] text-brand-400 uppercase">Developers</p>
          <h1 className="mt-2 text-3xl font-semibold tracking-tight text-white sm:text-4xl">API docs</h1>
          <p className="mt-3 max-w-2xl text-slate-400">
            A REST API to report and look up indicators, a socket.io firehose that streams every public sighting as it happens, and a CLI
            that wraps both. Everything is served on one host and port.
          </p>
        </header>

        <Section id="auth" title="Authentication">
          <p>
            Create a token on your <Link href="/dashboard" className="text-brand-400 hover:text-brand-100">dashboard</Link> and send it
            as <C>Authorization: Bearer slc_…</C>. Tokens carry scopes (<C>read</C>, <C>submit</C>, <C>stream</C>); streaming also needs
            the Firehose plan, checked when a stream connects — subscribing enables the tokens you already have.
          </p>
          <p>
            Errors are JSON <C>{'{ "error": { "code", "message" } }'}</C> with a 4xx status: 401 <C>invalid_token</C>, 403{' '}
            <C>scope_required</C>, 429 <C>rate_limited</C> / <C>daily_limit</C> / <C>submission_limit</C> with <C>Retry-After</C> and{' '}
            <C>X-RateLimit-*</C> headers (per token per minute, per account per UTC day; see docs/api.md). Your use is on{' '}
            <Link href="/usage" className="text-brand-400 hover:text-brand-100">/usage</Link>.
          </p>
        </Section>

        <Section id="rest" title="REST endpoints">
          <p>
            Every operation, with its parameters, answers and error codes, is in the{' '}
            <Link href="/docs/api" className="text-brand-400 hover:text-brand-100">interactive API reference</Link>, generated from
            the code that validates requests (<C>GET /api/v1/openapi.json</C>, OpenAPI 3.1; the streams: <C>/api/v1/asyncapi.json</C>).
          </p>
          <div className="overflow-x-auto rounded-lg border border-white/10">
            <table className="w-full min-w-[36rem] text-left text-sm">
              <thead className="bg-white/[0.03] text-[11px] tracking-wider text-slate-400 uppercase">
                <tr>
                  <th className="px-3 py-2 font-medium">Endpoint</th>
                  <th className="px-3 py-2 font-medium">Scope</th>
                  <th className="px-3 py-2 font-medium">Does</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-white/5">
                {endpoints.map(([method, path, scope, does]) => (
                  <tr key={method + path} className="align-top">
                    <td className="px-3 py-2 font-mono text-xs whitespace-nowrap text-slate-100">
                      <span className="mr-2 inline-block w-12 text-brand-400">{method}</span>
                      {path}
                    </td>
                    <td className="px-3 py-2 text-xs text-slate-400">{scope}</td>
                    <td className="px-3 py-2 text-slate-300">{does}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            Feeds have a TLP: <C>CLEAR</C> is public (the default); <C>GREEN</C>, <C>AMBER</C> and <C>RED</C> are private — never
            published, never shown to anyone else. A sighting keeps the visibility its feed had when it was reported.
          </p>
        </Section>

        <Section id="submit" title="Submitting indicators">
          <p>
            Types are inferred (ipv4, ipv6, cidr, domain, url, email, md5, sha1, sha256, sha512) and defanged input is accepted. Only{' '}
            <C>value</C> is required; <C>tags</C> (up to 32), <C>confidence</C> (0–100, default 50), <C>description</C>,{' '}
            <C>reference</C> and <C>reportedAt</C> are optional. With <C>text/plain</C>, send one indicator per line.
          </p>
          <Code>{submitExample}</Code>
          <Code>{answerExample}</Code>
          <p>
            Private, reserved and documentation address ranges, special-use names and the operator’s never-publish list are rejected
            with <C>never_publish</C>, in every feed.
          </p>
        </Section>

        <Section id="realtime" title="Realtime firehose">
          <p>
            The firehose is the socket.io namespace <C>/firehose</C> on the same host. Connect with <C>auth: {'{ token, since?, filters? }'}</C>
            ; the server emits <C>indicators</C> with an array of events, in log order, batched every ~10 ms.
          </p>
          <Code>{streamExample}</Code>
          <p>Each event (kinds: <C>new</C>, <C>sighting</C>, and from the workers <C>correlated</C>, <C>expired</C>):</p>
          <Code>{eventExample}</Code>
          <ul className="list-disc space-y-1.5 pl-5">
            <li>
              <strong className="text-white">Filters</strong> (AND): <C>types</C>, <C>tags</C> (any of), <C>feeds</C> (
              <C>owner/slug</C> or <C>slug</C>), <C>minConfidence</C>. Change them live with <C>emitWithAck(&apos;subscribe&apos;, filters)</C>.
            </li>
            <li>
              <strong className="text-white">Resume</strong>: connect with <C>since: cursor</C> to replay everything after it, then continue
              live — no gap, no duplicate. The log keeps 24 hours by default. Delivery is at least once: de-duplicate by <C>id</C>.
            </li>
            <li>
              <strong className="text-white">Refusals</strong> come as <C>connect_error</C> with <C>err.data.code</C>: <C>invalid_token</C>,{' '}
              <C>scope_required</C>, <C>plan_required</C>, <C>cursor_expired</C> (with <C>oldest</C>), <C>invalid_cursor</C>,{' '}
              <C>invalid_request</C>.
            </li>
            <li>
              <strong className="text-white">Disconnects</strong> are announced by <C>stream:ended</C> <C>{'{ reason, message, cursor }'}</C>:{' '}
              <C>token_revoked</C>, <C>plan_ended</C>, <C>slow_consumer</C>, <C>server_shutdown</C>.
            </li>
          </ul>
        </Section>

        <Section id="public" title="Public pages & exports">
          <p>No token needed. Only public (TLP:CLEAR) sightings appear, and their counts only count public sightings.</p>
          <ul className="list-disc space-y-1.5 pl-5">
            <li>
              <Link href="/threats" className="text-brand-400 hover:text-brand-100">/threats</Link> — a random sample of the most recent
              public indicators, with a 24-hour chart and totals. Filtered views: <C>/threats/url</C>, <C>/threats/tag/phishing</C>,{' '}
              <C>/threats/url/tag/phishing</C>. Regenerated at most every 5 seconds.
            </li>
            <li>
              <C>/threats.json</C> and <C>/threats.csv</C> — the same list; filters as a query string: <C>?type=url&amp;tag=phishing</C>.
              CSV cells that start with <C>= + - @</C> are prefixed with a quote.
            </li>
            <li>
              <C>/i/{'{type}'}/{'{value}'}</C> — one indicator (value URL-encoded): sightings over time, feeds, tags, related indicators
              and the check answer.
            </li>
            <li>
              Socket.io namespace <C>/public</C> — tokenless and read-only: the same events, delayed by{' '}
              <C>PUBLIC_STREAM_DELAY_SECONDS</C>, capped at 200 events/s; no filters or resume.
            </li>
          </ul>
        </Section>

        <Section id="cli" title="CLI">
          <p>
            <C>sluice</C> ships with the package (<C>npx sluice --help</C>). Exit codes: 0 done, 1 failure, 2 bad usage, 3 refused.
          </p>
          <p>
            To use the client commands outside a clone, pack them into one file with no dependencies: <C>npm run pack:cli</C> in the
            clone, then <C>npm install -g ./sluice-cli-0.1.0.tgz</C> wherever Node.js 20.19+ runs (README, “Install the CLI on its own”).
          </p>
          <Code>{cliExample}</Code>
        </Section>
      </div>
    </div>
  );
}
