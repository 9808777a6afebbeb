/** The choices of a suite's sandbox image: the images the server says this site offers. */
import type { SandboxImages } from '@/api/types';

/** One image with its name and runtime (the server's `options`; sandbox images are data). */
export interface ImageChoice {
  reference: string;
  display_name: string;
  runtime: string;
}

export type OfferedImages = SandboxImages & { options?: ImageChoice[] };

const choiceLabel = (c: ImageChoice): string =>
  `${c.display_name === c.reference ? c.reference : c.display_name}${c.runtime === 'runsc' ? ' (gVisor)' : ''}`;

export interface ImageOption {
  value: string;
  label: string;
}

/**
 * Empty (the site's default) first, then every image the course may use (by name). A stored image the site
 * no longer offers stays selectable, marked, so the form shows what the suite really has (saving
 * it is refused until another image is chosen).
 */
export function sandboxImageOptions(offered: OfferedImages | null, current: string): ImageOption[] {
  const choices = offered?.options ?? (offered?.images ?? []).map((image) => ({ reference: image, display_name: image, runtime: 'runc' }));
  const options: ImageOption[] = [
    { value: '', label: offered ? `Site default (${offered.default_image})` : 'Site default' },
    ...choices.map((c) => ({ value: c.reference, label: choiceLabel(c) })),
  ];
  if (current !== '' && !options.some((option) => option.value === current)) {
    options.push({ value: current, label: offered ? `${current} (not offered by this site)` : current });
  }
  return options;
}
