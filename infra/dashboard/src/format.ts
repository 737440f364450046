/** Figures formatted for people: money without cents past $1,000, hours, shares, changes. */

export function money(cents: number, currency: string): string {
  const amount = cents / 100;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    maximumFractionDigits: Math.abs(amount) >= 1000 ? 0 : 2,
  }).format(amount);
}

export function hours(value: number): string {
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: value >= 100 ? 0 : 1 }).format(value)} h`;
}

export function count(value: number): string {
  return new Intl.NumberFormat('en-US').format(value);
}

export function share(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** The change from `before` to `now`, e.g. "+12.5% vs previous period"; null when undefined. */
export function change(
  now: number | null,
  before: number | null,
): { text: string; trend: 'up' | 'down' | 'flat' } | null {
  if (now === null || before === null) return null;
  if (before === 0)
    return now === 0
      ? { text: 'no change', trend: 'flat' }
      : { text: 'new this period', trend: 'up' };
  const pct = ((now - before) / before) * 100;
  if (Math.abs(pct) < 0.05) return { text: 'no change', trend: 'flat' };
  return { text: `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%`, trend: pct > 0 ? 'up' : 'down' };
}

/** Human names of the contract's categories and outcomes. */
export function label(key: string): string {
  return key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
