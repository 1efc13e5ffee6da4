// A server-rendered SVG bar chart (no chart library): bars scale to the largest value, each bar
// carries a <title> for its exact figure on hover, axis labels are HTML so they never stretch.
export interface BarDatum {
  /** Shown on hover and to screen readers. */
  title: string;
  value: number;
}

export interface BarChartProps {
  data: BarDatum[];
  /** Accessible summary of the chart. */
  label: string;
  /** Labels under the chart, spread evenly (e.g. first, middle, last). */
  ticks?: string[];
  /** CSS height of the plot. @default '9rem' */
  height?: string;
}

const W = 1000;
const H = 100;

function niceMax(max: number): number {
  if (max <= 4) return Math.max(1, max);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

export function BarChart({ data, label, ticks = [], height = '9rem' }: BarChartProps) {
  const max = niceMax(Math.max(0, ...data.map((d) => d.value)));
  const slot = W / Math.max(1, data.length);
  const gap = Math.min(6, slot * 0.2);
  return (
    <figure className="w-full">
      <div className="flex gap-2">
        <div className="flex flex-col justify-between py-0.5 text-right text-[10px] tabular-nums text-slate-500" style={{ height }} aria-hidden>
          <span>{max}</span>
          <span>{max / 2 === Math.floor(max / 2) ? max / 2 : ''}</span>
          <span>0</span>
        </div>
        <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={label} className="w-full overflow-visible" style={{ height }}>
          {[0, 0.5, 1].map((f) => (
            <line key={f} x1={0} x2={W} y1={H * f} y2={H * f} className="stroke-white/10" strokeDasharray={f === 1 ? undefined : '4 6'} vectorEffect="non-scaling-stroke" />
          ))}
          {data.map((d, i) => {
            const h = max ? (d.value / max) * H : 0;
            return (
              <g key={i}>
                <rect x={i * slot} y={0} width={slot} height={H} className="fill-transparent hover:fill-white/[0.04]">
                  <title>{d.title}</title>
                </rect>
                <rect
                  x={i * slot + gap / 2}
                  y={H - Math.max(h, d.value ? 1.5 : 0)}
                  width={slot - gap}
                  height={Math.max(h, d.value ? 1.5 : 0)}
                  rx={2}
                  className={i === data.length - 1 ? 'pointer-events-none fill-brand-400' : 'pointer-events-none fill-brand-500/80'}
                />
              </g>
            );
          })}
        </svg>
      </div>
      {ticks.length ? (
        <figcaption className="mt-2 flex justify-between pl-8 text-[10px] text-slate-500" aria-hidden>
          {ticks.map((t, i) => (
            <span key={i}>{t}</span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}
