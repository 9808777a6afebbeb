/** Byte sizes as people type them: an amount and a unit (MB or GB, binary: 1 MB = 1024² bytes). */
export type SizeUnit = 'MB' | 'GB';

export const UNIT_BYTES: Record<SizeUnit, number> = { MB: 1024 ** 2, GB: 1024 ** 3 };

/** `bytes` as an amount in the largest unit that divides it evenly (GB, else MB). */
export function splitSize(bytes: number | null): { amount: string; unit: SizeUnit } {
  if (bytes === null) return { amount: '', unit: 'MB' };
  if (bytes % UNIT_BYTES.GB === 0) return { amount: String(bytes / UNIT_BYTES.GB), unit: 'GB' };
  return { amount: String(Math.round((bytes / UNIT_BYTES.MB) * 1000) / 1000), unit: 'MB' };
}

/** The bytes an amount and unit stand for; empty (or what a number input gives for nonsense) is null. */
export function joinSize(amount: string, unit: SizeUnit): number | null {
  const text = amount.trim();
  if (text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? Math.round(value * UNIT_BYTES[unit]) : null;
}
