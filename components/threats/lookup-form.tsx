// "Check an indicator": a plain GET form to /i (works without JavaScript), which sends the browser
// to the indicator's own page — or says why the value is not an indicator.
export function LookupForm({ defaultValue = '', autoFocus = false }: { defaultValue?: string; autoFocus?: boolean }) {
  return (
    <form method="get" action="/i" role="search" className="flex w-full flex-col gap-2 sm:flex-row">
      <label htmlFor="lookup-value" className="sr-only">
        Indicator
      </label>
      <input
        id="lookup-value"
        name="value"
        defaultValue={defaultValue}
        placeholder="IP, domain, URL, email or hash"
        maxLength={4096}
        autoComplete="off"
        spellCheck={false}
        autoFocus={autoFocus}
        className="min-w-0 flex-1 rounded-lg border border-white/10 bg-black/30 px-3 py-2 font-mono text-sm text-white placeholder:font-sans placeholder:text-slate-500 focus:border-brand-400/60 focus:outline-none"
      />
      <button type="submit" className="rounded-lg bg-brand-500 px-4 py-2 text-sm font-semibold text-ink-950 hover:bg-brand-400">
        Check
      </button>
    </form>
  );
}
