/**
 * An API error's message as a person reads it. The server's message for a refused form leads
 * with the field's name (`submission_limit_reset_timezone: ...`), which is right for API clients
 * but not for a banner under a form: the name becomes the form's label for it, or else words.
 */
import type { ApiError } from '@/api/types';

/** `min_group_size` → "Min group size"; `feedback.normal` → "Feedback normal". */
export const humanizeField = (name: string): string => {
  const words = name.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const fieldLabel = (name: string, labels: Record<string, string> = {}): string => labels[name] ?? humanizeField(name);

export function humanMessage(error: Pick<ApiError, 'message' | 'fields'>, labels: Record<string, string> = {}): string {
  for (const name of Object.keys(error.fields)) {
    const prefix = `${name}: `;
    if (error.message.startsWith(prefix)) return `${fieldLabel(name, labels)}: ${error.message.slice(prefix.length)}`;
  }
  return error.message;
}
