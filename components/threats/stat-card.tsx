// A headline number.
import type { ReactNode } from 'react';

export function StatCard({ label, value, hint, accent = false }: { label: string; value: ReactNode; hint?: ReactNode; accent?: boolean }) {
  return (
    <div className={`rounded-xl border px-4 py-3.5 ${accent ? 'border-brand-500/30 bg-brand-500/[0.06]' : 'border-white/10 bg-white/[0.025]'}`}>
      <div className="text-[11px] font-medium tracking-wider text-slate-400 uppercase">{label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums text-white">{value}</div>
      {hint ? <div className="mt-0.5 text-xs text-slate-500">{hint}</div> : null}
    </div>
  );
}
