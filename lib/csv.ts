// CSV cells shared by every CSV Sluice writes (/threats.csv, `sluice stream --format csv`).

/**
 * One CSV cell (RFC 4180), safe to open in a spreadsheet: a cell starting with = + - @ (or tab / CR,
 * which some spreadsheets strip first) is prefixed with a quote so it is never read as a formula.
 */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
