import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import CodeView from '@/components/code/CodeView.vue';
import { highlightLines, languageFor, splitHighlightedLines } from '@/lib/highlight';

describe('highlight', () => {
  it('picks the language from the extension, and none for unknown files', () => {
    expect(languageFor('src/main.py')).toBe('python');
    expect(languageFor('Makefile')).toBe('makefile');
    expect(languageFor('notes')).toBeNull();
    expect(languageFor('data.weird')).toBeNull();
  });

  it('closes and reopens spans that cross a line end', () => {
    expect(splitHighlightedLines('<span class="c">/* a\nb */</span> x')).toEqual([
      '<span class="c">/* a</span>',
      '<span class="c">b */</span> x',
    ]);
  });

  it('gives one line of escaped HTML per line of text', () => {
    const lines = highlightLines('x = "<b>"\n# done\n', 'python');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('&lt;b&gt;');
    expect(lines[0]).not.toContain('<b>');
    expect(lines[1]).toContain('hljs-comment');
    expect(highlightLines('<script>', null)).toEqual(['&lt;script&gt;']);
  });
});

describe('CodeView', () => {
  const text = 'def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n';

  it('numbers every line and names the file', () => {
    const wrapper = mount(CodeView, { props: { filename: 'add.py', text } });
    expect(wrapper.find('figcaption').text()).toContain('add.py');
    expect(wrapper.findAll('td.ln').map((cell) => cell.text())).toEqual(['1', '2', '3', '4']);
    expect(wrapper.find('td.code').html()).toContain('hljs-keyword');
  });

  it('selects a line, then a range with shift, and clears a single line clicked again', async () => {
    const wrapper = mount(CodeView, { props: { filename: 'add.py', text, selectable: true, selection: null } });
    await wrapper.find('button[aria-label="Line 2"]').trigger('click');
    expect(wrapper.emitted('update:selection')!.at(-1)).toEqual([{ first: 2, last: 2 }]);
    await wrapper.setProps({ selection: { first: 2, last: 2 } });
    await wrapper.find('button[aria-label="Line 4"]').trigger('click', { shiftKey: true });
    expect(wrapper.emitted('update:selection')!.at(-1)).toEqual([{ first: 2, last: 4 }]);
    await wrapper.setProps({ selection: { first: 2, last: 4 } });
    expect(wrapper.findAll('tr.selected').map((row) => row.attributes('data-line'))).toEqual(['2', '3', '4']);
    await wrapper.setProps({ selection: { first: 3, last: 3 } });
    await wrapper.find('button[aria-label="Line 3"]').trigger('click');
    expect(wrapper.emitted('update:selection')!.at(-1)).toEqual([null]);
  });

  it('renders annotations below the lines that have them', () => {
    const wrapper = mount(CodeView, {
      props: { filename: 'add.py', text, annotatedLines: [2] },
      slots: { annotation: '<template #annotation="{ line }"><p class="note">note on {{ line }}</p></template>' },
    });
    const rows = wrapper.findAll('tr');
    expect(rows).toHaveLength(5);
    expect(rows[2]!.find('.note').text()).toBe('note on 2');
  });
});
