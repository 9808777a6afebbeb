/**
 * Time zone choices for a picker: "UTC" and the IANA Area/Location names this browser knows
 * (America/Detroit, Europe/Berlin, ...), the kinds of names the server accepts (it still checks:
 * a legacy alias such as "EST" or "US/Eastern" is refused there, with the reason).
 */
const AREAS = new Set(['Africa', 'America', 'Antarctica', 'Arctic', 'Asia', 'Atlantic', 'Australia', 'Europe', 'Indian', 'Pacific']);

export function timeZoneChoices(current: string, known: readonly string[] = Intl.supportedValuesOf('timeZone')): string[] {
  const places = known.filter((name) => AREAS.has(name.split('/')[0]!) && name.includes('/'));
  const choices = ['UTC', ...[...new Set(places)].sort()];
  return current && !choices.includes(current) ? [current, ...choices] : choices;
}
