// /threats.json and /threats.csv bodies: the same list the page shows.
import { csvCell } from '../csv';
import { defang } from '../indicators/defang';
import { indicatorPath } from './format';
import type { ThreatList } from './types';

export { csvCell };

export function toThreatsJson(list: ThreatList) {
  return {
    generatedAt: list.generatedAt,
    filters: list.filters,
    count: list.items.length,
    poolSize: list.poolSize,
    indicators: list.items.map((item) => ({
      type: item.type,
      value: item.value,
      defanged: defang(item.type, item.value),
      tags: item.tags,
      feed: item.feed, // { slug, owner: display name | null } while the feed is public, else null
      confidence: item.confidence,
      sightings: item.sightings,
      firstSeen: item.firstSeen,
      lastSeen: item.lastSeen,
      page: indicatorPath(item.type, item.value),
    })),
  };
}

export const CSV_COLUMNS = ['type', 'value', 'defanged', 'tags', 'feed', 'feed_owner', 'confidence', 'sightings', 'first_seen', 'last_seen'] as const;

export function toThreatsCsv(list: ThreatList): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const item of list.items) {
    lines.push(
      [item.type, item.value, defang(item.type, item.value), item.tags.join(' '), item.feed?.slug ?? '', item.feed?.owner ?? '', item.confidence, item.sightings, item.firstSeen, item.lastSeen]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
