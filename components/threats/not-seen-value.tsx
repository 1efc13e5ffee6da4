'use client';
// The value named by an /i/{type}/{value} URL, for its "not seen yet" page (a not-found boundary
// gets no params, so it is read from the path). Defanged, as React text: never a link.
import { usePathname } from 'next/navigation';
import { defang } from '@/lib/indicators/defang';
import { INDICATOR_TYPES, type IndicatorType } from '@/lib/indicators/types';

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function NotSeenValue() {
  const [, , type = '', ...rest] = (usePathname() ?? '').split('/');
  const value = rest.map(decode).join('/').slice(0, 512);
  if (!value) return <>this indicator</>;
  const known = (INDICATOR_TYPES as readonly string[]).includes(type);
  return (
    <code className="rounded bg-white/5 px-1.5 py-0.5 font-mono text-sm break-all text-slate-200" data-testid="not-seen-value">
      {known ? defang(type as IndicatorType, value) : value}
    </code>
  );
}
