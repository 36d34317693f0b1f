/** Small statistics for benchmark tables: percentiles of samples, medians of repeated runs. */

/** Nearest-rank percentile (p in 0–100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}

export const median = (values: readonly number[]): number => {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

/** `12.3 [11.9–13.0]`: the median, then the range over runs when there was more than one. */
export function withSpread(values: readonly number[], digits: number): string {
  const v = values.filter((x) => !Number.isNaN(x));
  if (!v.length) return 'n/a';
  const f = (x: number) => x.toFixed(digits);
  if (v.length === 1) return f(v[0]);
  return `${f(median(v))} [${f(Math.min(...v))}–${f(Math.max(...v))}]`;
}

/** Like `withSpread` with a sign, for "added" figures. */
export function signedSpread(values: readonly number[], digits: number): string {
  const v = values.filter((x) => !Number.isNaN(x));
  if (!v.length) return 'n/a';
  const f = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
  if (v.length === 1) return f(v[0]);
  return `${f(median(v))} [${f(Math.min(...v))}…${f(Math.max(...v))}]`;
}
