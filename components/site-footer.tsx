export function SiteFooter() {
  return (
    <footer className="border-t border-white/10 py-6 text-center text-xs text-slate-500">
      Sluice — self-hostable threat-intelligence firehose. Indicator data includes{' '}
      <span className="text-slate-400">maltrail</span> trails (MIT).
    </footer>
  );
}
