/** How the benchmark writes counts and durations, in its log, tables and targets. */

/** 10000 → 10k, 1000000 → 1M; other numbers as they are. */
export const formatCount = (n: number) =>
  n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : String(n)

/** Milliseconds as seconds with two decimals. */
export const formatSeconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/** A progress line on stderr, so stdout holds only the tables. */
export function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
}
