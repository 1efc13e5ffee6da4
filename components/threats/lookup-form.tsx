// A one-field GET form (works without JavaScript): "Check an indicator" (to /i, which sends the
// browser to the indicator's own page) and the public search (/threats/search) share it.
const LOOKUP = { action: '/i', name: 'value', label: 'Indicator', placeholder: 'IP, domain, URL, email or hash', maxLength: 4096, submit: 'Check' };
const SEARCH = { action: '/threats/search', name: 'q', label: 'Value or part of one', placeholder: '1.2.3.4, evil[.]example, hxxp://…, a hash', maxLength: 256, submit: 'Search' };

export function LookupForm({ defaultValue = '', autoFocus = false, kind = 'lookup' }: { defaultValue?: string; autoFocus?: boolean; kind?: 'lookup' | 'search' }) {
  const form = kind === 'search' ? SEARCH : LOOKUP;
  const id = `${kind}-${form.name}`;
  return (
    <form method="get" action={form.action} role="search" className="flex w-full flex-col gap-2 sm:flex-row">
      <label htmlFor={id} className="sr-only">
        {form.label}
      </label>
      <input
        id={id}
        name={form.name}
        defaultValue={defaultValue}
        placeholder={form.placeholder}
        maxLength={form.maxLength}
        autoComplete="off"
        spellCheck={false}
        autoFocus={autoFocus}
        className="min-w-0 flex-1 rounded-lg border border-white/10 bg-black/30 px-3 py-2 font-mono text-sm text-white placeholder:font-sans placeholder:text-slate-500 focus:border-brand-400/60 focus:outline-none"
      />
      <button type="submit" className="rounded-lg bg-brand-500 px-4 py-2 text-sm font-semibold text-ink-950 hover:bg-brand-400">
        {form.submit}
      </button>
    </form>
  );
}
