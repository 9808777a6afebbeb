/** Dates in the viewer's own time zone, countdowns and durations. */

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** "2 days 3 hours", "4 minutes 10 seconds": the two largest units. */
export function durationText(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const units: [string, number][] = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
  }
  return parts.length > 0 ? parts.slice(0, 2).join(' ') : '0 seconds';
}

/** Text for a deadline countdown, e.g. "closes in 2 days 3 hours" or "closed 5 minutes ago". */
export function countdownText(deadlineIso: string, now: Date): string {
  const diff = (new Date(deadlineIso).getTime() - now.getTime()) / 1000;
  return diff >= 0 ? `closes in ${durationText(diff)}` : `closed ${durationText(-diff)} ago`;
}

/** ISO string → value for <input type="datetime-local"> in the viewer's zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** <input type="datetime-local"> value (viewer's zone) → ISO string with offset, or null. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  return new Date(value).toISOString();
}
