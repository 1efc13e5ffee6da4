// Small shared pieces of the signed-in UI: cards, buttons, inputs, badges.
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode } from 'react';

export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(' ');
}

export function Card({ children, className, ...rest }: { children: ReactNode; className?: string } & React.HTMLAttributes<HTMLElement>) {
  return (
    <section className={cx('rounded-2xl border border-white/10 bg-white/[0.03] shadow-xl shadow-black/20 ring-1 ring-inset ring-white/[0.02]', className)} {...rest}>
      {children}
    </section>
  );
}

export function CardHeader({ title, description, action }: { title: string; description?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col gap-3 border-b border-white/5 px-5 py-4 sm:flex-row sm:items-start sm:justify-between sm:px-6">
      <div>
        <h2 className="text-base font-semibold text-white">{title}</h2>
        {description ? <p className="mt-1 text-sm text-slate-400">{description}</p> : null}
      </div>
      {action}
    </div>
  );
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'danger' | 'ghost' };

export function Button({ variant = 'primary', className, ...rest }: ButtonProps) {
  const styles = {
    primary: 'bg-brand-500 text-ink-950 hover:bg-brand-400 focus-visible:outline-brand-400',
    secondary: 'border border-white/10 bg-white/5 text-slate-100 hover:bg-white/10 focus-visible:outline-white/40',
    danger: 'border border-rose-500/30 bg-rose-500/10 text-rose-200 hover:bg-rose-500/20 focus-visible:outline-rose-400',
    ghost: 'text-slate-300 hover:bg-white/5 hover:text-white focus-visible:outline-white/40',
  }[variant];
  return (
    <button
      className={cx(
        'inline-flex items-center justify-center gap-2 rounded-lg px-3.5 py-2 text-sm font-medium transition focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-50',
        styles,
        className,
      )}
      {...rest}
    />
  );
}

export function Input({ className, ...rest }: InputHTMLAttributes<HTMLInputElement>) {
  return (
    <input
      className={cx(
        'block w-full rounded-lg border border-white/10 bg-ink-950/60 px-3 py-2 text-sm text-white placeholder:text-slate-500 focus:border-brand-400 focus:outline-none focus:ring-2 focus:ring-brand-400/30 aria-[invalid=true]:border-rose-400/70',
        className,
      )}
      {...rest}
    />
  );
}

export function Badge({ tone = 'slate', children }: { tone?: 'slate' | 'brand' | 'green' | 'amber' | 'rose'; children: ReactNode }) {
  const styles = {
    slate: 'bg-white/5 text-slate-300 ring-white/10',
    brand: 'bg-brand-500/10 text-brand-100 ring-brand-400/30',
    green: 'bg-emerald-500/10 text-emerald-300 ring-emerald-400/30',
    amber: 'bg-amber-500/10 text-amber-200 ring-amber-400/30',
    rose: 'bg-rose-500/10 text-rose-200 ring-rose-400/30',
  }[tone];
  return <span className={cx('inline-flex items-center rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset', styles)}>{children}</span>;
}

export function FormError({ children, id }: { children: ReactNode; id?: string }) {
  return (
    <p id={id} role="alert" className="rounded-lg border border-rose-500/30 bg-rose-500/10 px-3 py-2 text-sm text-rose-200 [overflow-wrap:anywhere]">
      {children}
    </p>
  );
}
