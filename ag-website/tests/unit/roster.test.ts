import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { changeRoster, listRoster, previewRoster } from '@/api/courses';
import { ApiError } from '@/api/http';
import type { RosterPlanned, RosterPreview, RosterUser } from '@/api/types';
import RosterEditor from '@/components/course/RosterEditor.vue';
import { canConfirm, confirmLabel, people, previewRows, previewSummary, problemMessages } from '@/lib/roster';

vi.mock('@/api/courses', () => ({ listRoster: vi.fn(), changeRoster: vi.fn(), previewRoster: vi.fn() }));

const ALICE: RosterUser = { id: 1, username: 'alice@x.test', email: 'alice@x.test', first_name: 'Alice', last_name: 'Ng' };
const BOB: RosterUser = { id: 2, username: 'bob@x.test', email: 'bob@x.test', first_name: '', last_name: '' };

function planned(position: number, identifier: string, account: RosterUser | null, name = ''): RosterPlanned {
  const [first = '', ...rest] = name.split(' ');
  return {
    position,
    written: name ? `${name} <${identifier}>` : identifier,
    identifier,
    name,
    account,
    new_first_name: account ? '' : first,
    new_last_name: account ? '' : rest.join(' '),
  };
}

function preview(overrides: Partial<RosterPreview> = {}): RosterPreview {
  return {
    mode: 'add',
    field: 'text',
    position_label: 'line',
    add: [],
    unchanged: [],
    remove: [],
    not_found: [],
    problems: [],
    conflict: '',
    ...overrides,
  };
}

const NOT_AN_EMAIL = { position: 2, written: 'not-an-email', message: "'not-an-email' is not an email address, and no account has that username." };
const CAROL = planned(1, 'carol.new@demo.test', null, 'Carol New');

describe('roster previews', () => {
  it('lists entries in line order with problems on their line, then who a replacement removes', () => {
    const answer = preview({
      mode: 'replace',
      add: [CAROL, planned(4, 'bob@x.test', BOB)],
      unchanged: [planned(3, 'alice@x.test', ALICE)],
      remove: [{ ...BOB, id: 9, username: 'gone@x.test', first_name: 'Gone', last_name: 'Away' }],
      problems: [NOT_AN_EMAIL],
    });
    expect(previewRows(answer).map((row) => [row.position, row.person, row.name, row.outcome])).toEqual([
      [1, 'carol.new@demo.test', 'Carol New', 'new'],
      [2, 'not-an-email', '', 'problem'],
      [3, 'alice@x.test', 'Alice Ng', 'unchanged'],
      [4, 'bob@x.test', '', 'existing'],
      [null, 'gone@x.test', 'Gone Away', 'remove'],
    ]);
    expect(previewSummary(answer, 'student')).toBe(
      '2 students to add (1 with a new account), 1 already on the roster, 1 student to remove, 1 line with problems.',
    );
  });

  it('words problems by line, quoting what was written when the reason does not', () => {
    const answer = preview({ problems: [{ position: 5, written: 'x <y', message: "'<' without a closing '>'." }, NOT_AN_EMAIL] });
    expect(problemMessages(answer)).toEqual([
      "Line 2: 'not-an-email' is not an email address, and no account has that username.",
      "Line 5: 'x <y': '<' without a closing '>'.",
    ]);
    expect(problemMessages({ ...answer, position_label: 'item' })[0]).toMatch(/^Item 2: /);
  });

  it('offers to confirm only a change the server would make', () => {
    expect(canConfirm(preview({ add: [CAROL] }))).toBe(true);
    expect(canConfirm(preview({ add: [CAROL], problems: [NOT_AN_EMAIL] }))).toBe(false);
    expect(canConfirm(preview({ mode: 'remove', remove: [ALICE], conflict: 'needs at least one admin' }))).toBe(false);
    expect(canConfirm(preview({ unchanged: [planned(1, 'alice@x.test', ALICE)] }))).toBe(false);
    expect(previewSummary(preview(), 'staff')).toBe('Nothing would change.');
  });

  it('says what confirming does', () => {
    expect(confirmLabel(preview({ add: [CAROL] }), 'student')).toBe('Confirm: add 1 student');
    expect(confirmLabel(preview({ mode: 'remove', remove: [ALICE, BOB] }), 'handgrader')).toBe('Confirm: remove 2 handgraders');
    expect(confirmLabel(preview({ mode: 'replace', add: [CAROL], remove: [ALICE, BOB] }), 'staff')).toBe('Confirm: add 1 staff, remove 2');
    expect(people('admin', 1)).toBe('1 admin');
  });
});

describe('RosterEditor', () => {
  beforeEach(() => {
    vi.mocked(listRoster).mockReset().mockResolvedValue([ALICE]);
    vi.mocked(previewRoster).mockReset();
    vi.mocked(changeRoster).mockReset();
  });

  async function editor() {
    const wrapper = mount(RosterEditor, { props: { courseId: 7, role: 'student', canEdit: true } });
    await flushPromises();
    return wrapper;
  }

  it('previews, shows per-line problems, changes nothing until the fixed list is confirmed', async () => {
    const wrapper = await editor();
    const textarea = wrapper.get('textarea');
    await textarea.setValue('Carol New <carol.new@demo.test>\nnot-an-email');
    vi.mocked(previewRoster).mockResolvedValueOnce(preview({ add: [CAROL], problems: [NOT_AN_EMAIL] }));
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    expect(previewRoster).toHaveBeenCalledWith(7, 'student', 'add', { text: 'Carol New <carol.new@demo.test>\nnot-an-email' });
    expect(wrapper.get('.field-errors').text()).toContain("Line 2: 'not-an-email' is not an email address");
    const confirmButton = () => wrapper.findAll('button').find((b) => b.text().startsWith('Confirm'));
    expect(confirmButton()?.attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="roster-preview"]').text()).toContain('New account');

    await textarea.setValue('Carol New <carol.new@demo.test>');
    expect(wrapper.find('[data-testid="roster-preview"]').exists()).toBe(false);
    vi.mocked(previewRoster).mockResolvedValueOnce(preview({ add: [CAROL] }));
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('.field-errors').exists()).toBe(false);
    expect(changeRoster).not.toHaveBeenCalled();

    const carol = { id: 3, username: 'carol.new@demo.test', email: 'carol.new@demo.test', first_name: 'Carol', last_name: 'New' };
    vi.mocked(changeRoster).mockResolvedValueOnce({ added: [carol], removed: [], created: [carol], not_found: [] });
    vi.mocked(listRoster).mockResolvedValue([ALICE, carol]);
    await confirmButton()?.trigger('click');
    await flushPromises();

    expect(changeRoster).toHaveBeenCalledWith(7, 'student', 'add', { text: 'Carol New <carol.new@demo.test>' });
    expect(wrapper.text()).toContain('New accounts: carol.new@demo.test');
    expect(wrapper.findAll('tbody tr').map((row) => row.text())).toContain('carol.new@demo.testcarol.new@demo.testCarol NewRemove');
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('');
  });

  it('previews the chosen kind of change and shows a refused confirmation inside the preview', async () => {
    const wrapper = await editor();
    await wrapper.get('textarea').setValue('bob@x.test');
    await wrapper.get('input[value="replace"]').setValue(true);
    vi.mocked(previewRoster).mockResolvedValueOnce(preview({ mode: 'replace', add: [planned(1, 'bob@x.test', BOB)], remove: [ALICE] }));
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(previewRoster).toHaveBeenCalledWith(7, 'student', 'replace', { text: 'bob@x.test' });
    expect(wrapper.get('[data-testid="roster-preview"]').text()).toContain('Will be removed');

    vi.mocked(changeRoster).mockRejectedValueOnce(new ApiError(409, 'last_admin', 'The course needs at least one admin.'));
    await wrapper.findAll('button').find((b) => b.text() === 'Confirm: add 1 student, remove 1')?.trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="roster-preview"]').text()).toContain('The course needs at least one admin.');
    expect(listRoster).toHaveBeenCalledTimes(1);
  });
});
