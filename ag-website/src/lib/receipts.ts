/** Receipt codes as people type them: any case, with or without dashes and spaces. */

const CODE_CHARS = /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{12}$/;

/** `r7k2 9qxm-4tzp` → `R7K2-9QXM-4TZP`; null when it cannot be a receipt code. */
export function normaliseReceiptCode(raw: string): string | null {
  const compact = raw.replace(/[\s-]/g, '').toUpperCase();
  if (!CODE_CHARS.test(compact)) return null;
  return `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8)}`;
}

/** "1.2 KiB" for a file size in bytes. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
