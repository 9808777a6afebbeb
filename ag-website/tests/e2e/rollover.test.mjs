// Term rollover and tests as code in a real browser against a real server: an admin previews
// and copies the course to a new term (the copied project has its suites), downloads a
// project's configuration as YAML, imports an edited copy (dry run first, then Apply), and
// clones a test case in the test editor.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import { apiFrom, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const PROJECT = 'Rollover P1';
let browser;
let page;
let projectId;
let exported;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const step = steps(() => browser);

async function ok(method, path, body) {
  const answer = await apiFrom(page, method, path, body);
  assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json;
}

step('an admin has a project with a suite, a test and a command', async () => {
  page = await loginAs(browser, 'admin@e2e.test');
  projectId = (await ok('POST', `courses/${SEED.course}/projects/`, { name: PROJECT })).id;
  await ok('POST', `projects/${projectId}/expected_files/`, { pattern: 'hello.py' });
  // Last term's tests, as a course keeps them in git (docs/tests-as-code.md).
  const yaml = [
    'format: autograder-project/1',
    'suites:',
    '- name: Rollover suite',
    '  student_files_needed: [hello.py]',
    '  cases:',
    '  - name: Basics',
    '    commands:',
    '    - name: greet',
    '      cmd: python3 hello.py',
    '      expected_stdout_source: text',
    "      expected_stdout_text: \"hello\\n\"",
    '      points_for_correct_stdout: 2',
    '      time_limit_s: 15',
    '',
  ].join('\n');
  const answer = await page.evaluate(
    async ({ path, text }) => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='))?.split('=')[1] ?? '';
      const form = new FormData();
      form.append('file', new Blob([text], { type: 'application/yaml' }), 'project.yaml');
      form.append('dry_run', 'false');
      const response = await fetch(`/api/${path}`, { method: 'POST', headers: { 'X-CSRFToken': csrf }, body: form });
      return { status: response.status, json: await response.json() };
    },
    { path: `projects/${projectId}/config/import/`, text: yaml },
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.deepEqual(
    answer.json.changes.map((c) => c.text),
    ["create suite 'Rollover suite'", "create test case 'Rollover suite / Basics'", "create command 'Rollover suite / Basics / greet'"],
  );
});

step('the course is copied to a new term after a preview of what will be copied', async () => {
  // Copying a course creates one: a superuser lets this admin create courses.
  const me = await ok('GET', 'users/me/');
  const root = await loginAs(browser, 'root@e2e.test');
  const granted = await apiFrom(root, 'PATCH', `users/${me.id}/`, { can_create_courses: true });
  assert.equal(granted.status, 200);
  await root.context().close();
  await page.goto(`/courses/${SEED.course}/admin?tab=copy`);
  const row = page.getByRole('row', { name: new RegExp(PROJECT) });
  await row.waitFor();
  assert.deepEqual(await row.locator('td').allInnerTexts(), ['1', '1', '1', '1', '0']);
  await page.getByLabel('New year').fill('2031');
  await screenshot(page, 'rollover-1-copy-course-preview');
  await page.getByRole('button', { name: 'Copy course' }).click();
  const created = page.getByRole('status').getByRole('link', { name: /2031/ });
  await created.waitFor();
  await screenshot(page, 'rollover-2-course-copied');
  await created.click();
  await page.waitForURL(/\/courses\/\d+$/);
  const newCourse = Number(new URL(page.url()).pathname.split('/').at(-1));
  assert.notEqual(newCourse, SEED.course);
  const projects = await ok('GET', `courses/${newCourse}/projects/`);
  const copy = projects.results.find((p) => p.name === PROJECT);
  assert.ok(copy, 'the copied course has the project');
  assert.equal(copy.visible_to_students, false);
  const suites = await ok('GET', `projects/${copy.id}/suites/`);
  assert.deepEqual(
    suites.map((s) => [s.name, s.cases.map((c) => [c.name, c.commands.map((m) => [m.name, m.time_limit_s])])]),
    [['Rollover suite', [['Basics', [['greet', 15]]]]]],
  );
});

step("the project's configuration downloads as YAML", async () => {
  await page.goto(`/projects/${projectId}/admin?tab=transfer`);
  await page.getByRole('heading', { name: 'Tests as code' }).waitFor();
  await page.getByRole('row', { name: new RegExp(PROJECT) }).waitFor();
  await screenshot(page, 'rollover-3-project-transfer');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download project.yaml' }).click(),
  ]);
  exported = await readFile(await download.path(), 'utf8');
  assert.match(exported, /^format: autograder-project\/1$/m);
  assert.match(exported, /- name: Rollover suite/);
  assert.match(exported, /time_limit_s: 15/);
});

step('an edited YAML is imported: dry run lists the changes, Apply makes them', async () => {
  const edited =
    exported.replace('time_limit_s: 15', 'time_limit_s: 20') +
    "- name: Style\n  cases:\n  - name: lint\n    commands:\n    - name: check\n      cmd: 'true'\n";
  await page.getByLabel('Import a project.yaml or project.zip').setInputFiles({
    name: 'project.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from(edited),
  });
  await page.getByRole('button', { name: 'Preview changes' }).click();
  const changes = page.getByTestId('import-changes');
  await changes.waitFor();
  assert.deepEqual(await changes.locator('li').allInnerTexts(), [
    "update command 'Rollover suite / Basics / greet': time_limit_s 15 → 20",
    "create suite 'Style'",
    "create test case 'Style / lint'",
    "create command 'Style / lint / check'",
  ]);
  await screenshot(page, 'rollover-4-import-dry-run');
  const before = await ok('GET', `projects/${projectId}/suites/`);
  assert.equal(before.length, 1, 'the dry run stored nothing');

  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('status').getByText('Imported 4 change(s).').waitFor();
  await screenshot(page, 'rollover-5-import-applied');
  const suites = await ok('GET', `projects/${projectId}/suites/`);
  assert.deepEqual(
    suites.map((s) => s.name),
    ['Rollover suite', 'Style'],
  );
  assert.equal(suites[0].cases[0].commands[0].time_limit_s, 20);
});

step('a test case is cloned with its commands from the test editor', async () => {
  await page.goto(`/projects/${projectId}/admin?tab=tests`);
  await page.getByRole('button', { name: 'Basics', exact: true }).click();
  await page.getByRole('button', { name: 'Clone test “Basics”' }).click();
  await page.getByRole('button', { name: 'Basics (copy)', exact: true }).waitFor();
  await screenshot(page, 'rollover-6-test-cloned');
  const suites = await ok('GET', `projects/${projectId}/suites/`);
  assert.deepEqual(
    suites[0].cases.map((c) => [c.name, c.commands.map((m) => m.name)]),
    [
      ['Basics', ['greet']],
      ['Basics (copy)', ['greet']],
    ],
  );
});
