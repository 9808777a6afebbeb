/** Bins for the stats page's charts. */

export interface Bin {
  label: string;
  value: number;
}

/** Submissions per hour over the `hours` hours ending at `now` (oldest first). */
export function perHour(timestamps: readonly string[], now: Date, hours = 48): Bin[] {
  const end = new Date(now);
  end.setMinutes(0, 0, 0);
  const start = end.getTime() - (hours - 1) * 3600_000;
  const bins: Bin[] = Array.from({ length: hours }, (_, i) => {
    const at = new Date(start + i * 3600_000);
    return { label: `${at.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${String(at.getHours()).padStart(2, '0')}:00`, value: 0 };
  });
  for (const iso of timestamps) {
    const index = Math.floor((new Date(iso).getTime() - start) / 3600_000);
    if (index >= 0 && index < hours) bins[index]!.value += 1;
  }
  return bins;
}

/** Seconds each submission waited in the queue (queued → grading started), where known. */
export function queueWaits(rows: readonly { queued_at: string | null; grading_started_at: string | null }[]): number[] {
  return rows
    .filter((r) => r.queued_at && r.grading_started_at)
    .map((r) => Math.max(0, (new Date(r.grading_started_at!).getTime() - new Date(r.queued_at!).getTime()) / 1000));
}

const WAIT_BUCKETS: [string, number][] = [
  ['< 10 s', 10],
  ['10–30 s', 30],
  ['30 s–1 min', 60],
  ['1–5 min', 300],
  ['5–15 min', 900],
  ['15–60 min', 3600],
  ['> 1 h', Infinity],
];

export function waitHistogram(waits: readonly number[]): Bin[] {
  const bins = WAIT_BUCKETS.map(([label]) => ({ label, value: 0 }));
  for (const wait of waits) {
    const index = WAIT_BUCKETS.findIndex(([, upper]) => wait < upper);
    bins[index]!.value += 1;
  }
  return bins;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
