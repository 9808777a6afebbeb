import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { Suite, SuiteFeedbackSettings } from '@/api/types';
import SuiteForm from '@/components/testConfig/SuiteForm.vue';

const flags: SuiteFeedbackSettings = {
  visible: true,
  show_individual_tests: true,
  show_setup_return_code: true,
  show_setup_timed_out: true,
  show_setup_stdout: true,
  show_setup_stderr: true,
};

function suite(sandbox_image: string): Suite {
  return {
    id: 7,
    project: 1,
    order: 0,
    name: 'Public tests',
    sandbox_image,
    instructor_files_needed: [],
    student_files_needed: [],
    setup_command: '',
    setup_name: 'Setup',
    setup_time_limit_s: 60,
    reject_submission_if_setup_fails: false,
    allow_network: false,
    deferred: false,
    results_format: '',
    results_file_path: '',
    results_points: 100,
    file_layout: '',
    description: '',
    staff_notes: '',
    feedback: { normal: flags, past_limit: flags, final_graded: flags, staff_viewer: flags },
    cases: [],
    created_at: '2026-01-01T00:00:00Z',
    last_modified: '2026-01-01T00:00:00Z',
  };
}

const offered = {
  default_image: 'ag-sandbox-default:latest',
  images: ['ag-sandbox-default:latest', 'ag-java:21'],
  options: [
    { reference: 'ag-sandbox-default:latest', display_name: 'ag-sandbox-default:latest', runtime: 'runc' },
    { reference: 'ag-java:21', display_name: 'ag-java:21', runtime: 'runc' },
  ],
};

describe('SuiteForm sandbox image', () => {
  it('is a choice among the images the site offers, not free text', () => {
    const wrapper = mount(SuiteForm, {
      props: { suite: suite('ag-java:21'), instructorFiles: [], expectedFiles: [], sandboxImages: offered },
    });
    const select = wrapper.get<HTMLSelectElement>('select');
    expect(select.findAll('option').map((option) => option.text())).toEqual([
      'Site default (ag-sandbox-default:latest)',
      'ag-sandbox-default:latest',
      'ag-java:21',
    ]);
    expect(select.element.value).toBe('ag-java:21');
    expect(wrapper.findAll('input').some((input) => input.element.value === 'ag-java:21')).toBe(false);
  });

  it('shows an image the site no longer offers as such', () => {
    const wrapper = mount(SuiteForm, {
      props: { suite: suite('gcc:14'), instructorFiles: [], expectedFiles: [], sandboxImages: offered },
    });
    const select = wrapper.get<HTMLSelectElement>('select');
    expect(select.element.value).toBe('gcc:14');
    expect(select.text()).toContain('gcc:14 (not offered by this site)');
  });
});

describe('SuiteForm results file', () => {
  it('proposes the results path and layout of the format picked, and sends them', async () => {
    const wrapper = mount(SuiteForm, {
      props: { suite: suite(''), instructorFiles: [], expectedFiles: [], sandboxImages: offered },
    });
    const scoredFrom = wrapper.findAll('select').find((s) => s.findAll('option').some((o) => o.text() === 'Gradescope results.json'));
    expect(scoredFrom).toBeDefined();
    expect(wrapper.text()).not.toContain('Full score points');
    await scoredFrom!.setValue('prairielearn');
    const path = wrapper.findAll('input').find((i) => i.element.value === '/grade/results/results.json');
    expect(path).toBeDefined();
    const layout = wrapper.findAll('select').find((s) => s.findAll('option').some((o) => o.text() === 'PrairieLearn (/grade)'));
    expect(layout!.element.value).toBe('prairielearn');
    expect(wrapper.text()).toContain('Full score points');
  });
});
