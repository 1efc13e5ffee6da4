// Live counts from the gateway nodes (the same counters as /metrics), summed over live nodes.
import type { GatewayStatsSummary } from '@/lib/realtime/gateway-stats';
import { Card, CardHeader } from './ui';

const number = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function FirehoseStatsCard({ stats }: { stats: GatewayStatsSummary }) {
  const items = [
    { label: 'Connected streams', value: number.format(stats.connectedSockets) },
    { label: 'Events delivered', value: number.format(stats.eventsDelivered) },
    { label: 'Frames', value: number.format(stats.frames) },
    { label: 'Bytes sent', value: bytes(stats.bytes) },
    { label: 'Slow-consumer cut-offs', value: number.format(stats.slowConsumerDisconnects) },
    { label: 'Lag behind the log', value: `${stats.lagSeconds.toFixed(1)} s` },
  ];
  return (
    <Card>
      <CardHeader
        title="Firehose status"
        description={`${stats.nodes} gateway node${stats.nodes === 1 ? '' : 's'} reporting · counts since each node started · also at /metrics`}
      />
      <dl className="grid grid-cols-2 gap-px bg-white/5 sm:grid-cols-3" data-testid="firehose-stats">
        {items.map((item) => (
          <div key={item.label} className="bg-ink-950/60 px-5 py-4">
            <dt className="text-xs text-slate-400">{item.label}</dt>
            <dd className="mt-1 font-mono text-lg text-white">{item.value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
