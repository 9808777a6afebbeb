import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/http';
import ErrorMessage from '@/components/base/ErrorMessage.vue';
import SizeField from '@/components/base/SizeField.vue';
import DiffView from '@/components/results/DiffView.vue';
import { inlineDiff, sideBySide, unified } from '@/lib/diff';
import { humanMessage } from '@/lib/errors';
import { pageTitle } from '@/lib/pageTitle';
import { timeZoneChoices } from '@/lib/timezones';
import { joinSize, splitSize } from '@/lib/units';

describe('diff within a line', () => {
  it('marks the characters the student changed, on both sides', () => {
    const inline = inlineDiff('Bye', 'bye')!;
    expect(inline.expected).toEqual([
      { text: 'B', changed: true },
      { text: 'ye', changed: false },
    ]);
    expect(inline.actual).toEqual([
      { text: 'b', changed: true },
      { text: 'ye', changed: false },
    ]);
  });

  it('marks nothing inside lines that have little in common', () => {
    expect(inlineDiff('abc', 'xyz')).toBeNull();
    expect(inlineDiff('a'.repeat(1500), 'b'.repeat(1500))).toBeNull();
  });

  it('pairs expected and actual lines in the side-by-side and unified views', () => {
    const lines: [' ' | '-' | '+', string][] = [
      [' ', 'Hello'],
      ['-', 'Total: 10'],
      ['+', 'Total: 12'],
    ];
    const [, row] = sideBySide(lines);
    expect(row!.actual.segments?.filter((s) => s.changed).map((s) => s.text)).toEqual(['2']);
    const shown = unified(lines);
    expect(shown[1]!.segments?.filter((s) => s.changed).map((s) => s.text)).toEqual(['0']);
    expect(shown[2]!.segments?.filter((s) => s.changed).map((s) => s.text)).toEqual(['2']);
  });

  it('shows the student’s wrong line as the error, with the changed characters inserted', () => {
    const wrapper = mount(DiffView, { props: { title: 'Output', lines: [['-', 'Bye'], ['+', 'bye']] } });
    const actual = wrapper.get('td[data-kind="actual"]');
    expect(actual.classes()).toContain('actual');
    expect(actual.get('ins.chg').text()).toBe('b');
    expect(wrapper.get('td[data-kind="expected"] del.chg').text()).toBe('B');
  });
});

describe('sizes in MB and GB', () => {
  it('shows bytes in the largest whole unit and turns typed sizes back into bytes', () => {
    expect(splitSize(2 * 1024 ** 3)).toEqual({ amount: '2', unit: 'GB' });
    expect(splitSize(512 * 1024 ** 2)).toEqual({ amount: '512', unit: 'MB' });
    expect(splitSize(null)).toEqual({ amount: '', unit: 'MB' });
    expect(joinSize('256', 'MB')).toBe(256 * 1024 ** 2);
    expect(joinSize('1.5', 'GB')).toBe(1.5 * 1024 ** 3);
    expect(joinSize('  ', 'GB')).toBeNull();
  });

  it('SizeField edits bytes through an amount and a unit', async () => {
    const wrapper = mount(SizeField, { props: { label: 'Memory limit', modelValue: 1024 ** 3 } });
    expect((wrapper.get('input').element as HTMLInputElement).value).toBe('1');
    expect((wrapper.get('select').element as HTMLSelectElement).value).toBe('GB');
    await wrapper.get('input').setValue('300');
    await wrapper.get('select').setValue('MB');
    expect(wrapper.emitted('update:modelValue')!.at(-1)).toEqual([300 * 1024 ** 2]);
  });
});

describe('time zone choices', () => {
  it('offers UTC and place names only, keeping a stored value that is not among them', () => {
    const known = ['America/Detroit', 'Europe/Berlin', 'EST', 'Etc/GMT+5', 'US/Eastern'];
    expect(timeZoneChoices('UTC', known)).toEqual(['UTC', 'America/Detroit', 'Europe/Berlin']);
    expect(timeZoneChoices('Asia/Tokyo', known)[0]).toBe('Asia/Tokyo');
  });
});

describe('error banners', () => {
  it('name fields as the form labels them, not by their API names', () => {
    const error = new ApiError(400, 'invalid', "submission_limit_reset_timezone: 'EST' is not a place.", {
      submission_limit_reset_timezone: ["'EST' is not a place."],
    });
    expect(humanMessage(error, { submission_limit_reset_timezone: 'Time zone of the daily reset' })).toBe(
      "Time zone of the daily reset: 'EST' is not a place.",
    );
    expect(humanMessage(error)).toBe("Submission limit reset timezone: 'EST' is not a place.");
    const wrapper = mount(ErrorMessage, { props: { error, showFields: true } });
    expect(wrapper.text()).not.toContain('submission_limit_reset_timezone');
  });
});

describe('page titles', () => {
  it('name the page and what it is about', () => {
    expect(pageTitle('project-admin', 'P1 Stats')).toBe('Project admin: P1 Stats · Autograder');
    expect(pageTitle('courses')).toBe('My courses · Autograder');
    expect(pageTitle('project-handgrading')).toBe('Project handgrading · Autograder');
  });
});
