// "N minutes ago" with the exact UTC time on hover and in the machine-readable dateTime.
import { formatAgo, formatUtc } from '@/lib/threats/format';

export function TimeAgo({ iso, now, className }: { iso: string; now: number; className?: string }) {
  return (
    <time dateTime={iso} title={formatUtc(iso)} className={className}>
      {formatAgo(iso, now)}
    </time>
  );
}
