/** The choices of a suite's sandbox image: the images the server says this site offers. */
import type { SandboxImages } from '@/api/types';

export interface ImageOption {
  value: string;
  label: string;
}

/**
 * Empty (the site's default) first, then every image the site offers. A stored image the site
 * no longer offers stays selectable, marked, so the form shows what the suite really has (saving
 * it is refused until another image is chosen).
 */
export function sandboxImageOptions(offered: SandboxImages | null, current: string): ImageOption[] {
  const options: ImageOption[] = [
    { value: '', label: offered ? `Site default (${offered.default_image})` : 'Site default' },
    ...(offered?.images ?? []).map((image) => ({ value: image, label: image })),
  ];
  if (current !== '' && !options.some((option) => option.value === current)) {
    options.push({ value: current, label: offered ? `${current} (not offered by this site)` : current });
  }
  return options;
}
