/**
 * How a roster preview reads on the page. The server decides who is added, removed or refused
 * (and why); this only words and orders its answer.
 */
import type { Role, RosterMode, RosterPreview } from '@/api/types';

export type RowOutcome = 'new' | 'existing' | 'unchanged' | 'remove' | 'not_found' | 'problem';

export interface PreviewRow {
  key: string;
  /** The line (or list item) the person came from; null for someone a replacement removes. */
  position: number | null;
  /** The address or username, or what was written when it can't be used. */
  person: string;
  /** The person's name: the one written beside a new address, or the account's own. */
  name: string;
  outcome: RowOutcome;
  detail: string;
}

export const OUTCOME_LABEL: Record<RowOutcome, string> = {
  new: 'New account',
  existing: 'Existing account',
  unchanged: 'Already on the roster',
  remove: 'Will be removed',
  not_found: 'Not on the roster',
  problem: 'Problem',
};

/** "1 student", "2 students", "3 staff". */
export function people(role: Role, count: number): string {
  const noun = role === 'staff' ? 'staff' : count === 1 ? role : `${role}s`;
  return `${count} ${noun}`;
}

const fullName = (first: string, last: string): string => [first, last].filter(Boolean).join(' ');

/** Every entry of the preview in line order (problems on their line), then who a replacement removes. */
export function previewRows(preview: RosterPreview): PreviewRow[] {
  const rows: PreviewRow[] = [];
  for (const planned of preview.add) {
    const account = planned.account;
    rows.push({
      key: `add-${planned.position}-${planned.identifier}`,
      position: planned.position,
      person: account ? account.username : planned.identifier,
      name: account ? fullName(account.first_name, account.last_name) : fullName(planned.new_first_name, planned.new_last_name),
      outcome: account ? 'existing' : 'new',
      detail: account ? '' : 'An account will be made for this address.',
    });
  }
  for (const planned of preview.unchanged) {
    rows.push({
      key: `same-${planned.position}-${planned.identifier}`,
      position: planned.position,
      person: planned.account?.username ?? planned.identifier,
      name: planned.account ? fullName(planned.account.first_name, planned.account.last_name) : '',
      outcome: 'unchanged',
      detail: '',
    });
  }
  for (const entry of preview.not_found) {
    rows.push({ key: `missing-${entry.position}-${entry.identifier}`, position: entry.position, person: entry.identifier, name: '', outcome: 'not_found', detail: '' });
  }
  preview.problems.forEach((problem, index) => {
    rows.push({ key: `problem-${index}`, position: problem.position, person: problem.written, name: '', outcome: 'problem', detail: problem.message });
  });
  rows.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  for (const user of preview.remove) {
    rows.push({
      key: `remove-${user.id}`,
      position: null,
      person: user.username,
      name: fullName(user.first_name, user.last_name),
      outcome: 'remove',
      detail: preview.mode === 'replace' ? 'Not in the list.' : '',
    });
  }
  return rows;
}

/** The problems as sentences for the field they came from: "Line 2: 'x' is not an email address…". */
export function problemMessages(preview: RosterPreview): string[] {
  const label = preview.position_label === 'line' ? 'Line' : 'Item';
  return [...preview.problems]
    .sort((a, b) => a.position - b.position)
    .map((problem) => {
      const quoted = `'${problem.written}'`;
      const message = problem.written && !problem.message.includes(quoted) ? `${quoted}: ${problem.message}` : problem.message;
      return `${label} ${problem.position}: ${message}`;
    });
}

/** One sentence saying what confirming would do. */
export function previewSummary(preview: RosterPreview, role: Role): string {
  const parts: string[] = [];
  const created = preview.add.filter((planned) => planned.account === null).length;
  if (preview.add.length) {
    parts.push(`${people(role, preview.add.length)} to add${created ? ` (${created} with a new account)` : ''}`);
  }
  if (preview.unchanged.length) parts.push(`${preview.unchanged.length} already on the roster`);
  if (preview.remove.length) parts.push(`${people(role, preview.remove.length)} to remove`);
  if (preview.not_found.length) parts.push(`${preview.not_found.length} not on the roster`);
  if (preview.problems.length) {
    const what = preview.position_label === 'line' ? 'line' : 'item';
    const lines = new Set(preview.problems.map((problem) => problem.position)).size;
    parts.push(`${lines} ${what}${lines === 1 ? '' : 's'} with problems`);
  }
  return parts.length ? `${parts.join(', ')}.` : 'Nothing would change.';
}

/** Confirming is offered only for a change the server would make as shown. */
export function canConfirm(preview: RosterPreview): boolean {
  return preview.problems.length === 0 && !preview.conflict && (preview.add.length > 0 || preview.remove.length > 0);
}

const VERB: Record<RosterMode, string> = { add: 'add', replace: 'replace', remove: 'remove' };

export function confirmLabel(preview: RosterPreview, role: Role): string {
  if (preview.mode === 'replace') {
    return `Confirm: add ${people(role, preview.add.length)}, remove ${preview.remove.length}`;
  }
  const count = preview.mode === 'add' ? preview.add.length : preview.remove.length;
  return `Confirm: ${VERB[preview.mode]} ${people(role, count)}`;
}
