// Mutation testing in a real browser, against a real server, a real Celery worker and real
// sandboxes: staff configure a mutation suite on the project admin page (the students' tests
// are checked against the correct implementation, then run against three buggy ones); a
// student submits tests that catch 2 of the 3 bugs and sees the names of the bugs exposed
// (what normal feedback was set to show), never the bug they missed nor the instructor files.
// Staff then see its column in the gradebook, rerun only the mutation suite from the reruns
// tab, and find it in the project.yaml of tests as code (an edited one is imported).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, fieldErrors, file, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');
const PYTHON = process.env.E2E_PYTHON ?? join(REPO, '.venv/bin/python');
const GRADING_TIMEOUT = 180_000;

const STUDENT_TESTS = `import stats

def test_mean():
    assert stats.mean([1, 2]) == 1.5

def test_max():
    assert stats.maximum([3, 1, 2]) == 3

def test_wrong():
    assert stats.mean([2, 2]) == 3
`;

let browser;
const state = {};
const step = steps(() => browser);

before(async () => {
  browser = await launch();
  const out = execFileSync(PYTHON, [join(REPO, 'manage.py'), 'shell'], {
    encoding: 'utf-8',
    input: readFileSync(join(HERE, 'seed_mutation.py'), 'utf-8'),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, MUTATION_COURSE: String(SEED.course) },
  });
  state.projectId = JSON.parse(out.trim().split('\n').at(-1)).project;
});

after(async () => {
  await browser?.close();
});

step('staff configure a mutation suite in the test editor', async () => {
  const page = await loginAs(browser, 'admin@e2e.test');
  await page.goto(`/projects/${state.projectId}/admin?tab=tests`);
  await page.getByRole('heading', { name: "Mutation testing (students' own tests)" }).waitFor();
  await page.getByLabel('New mutation suite name').fill('Your tests');
  await page.getByRole('button', { name: 'Add mutation suite' }).click();
  const form = page.getByRole('form', { name: 'Mutation suite settings' });
  await form.getByRole('heading', { name: 'Mutation suite: Your tests' }).waitFor();

  for (const name of ['stats.py', 'run_test.py', 'list_tests.py', 'bug_mean.py', 'bug_max.py', 'bug_count.py']) {
    await form.getByLabel(name, { exact: true }).check();
  }
  await form.getByLabel('Buggy implementation names (one per line)').fill('bug_mean\nbug_max\nbug_count');
  await form.getByLabel("Command that lists the student's test names").fill('python3 list_tests.py');
  await form.getByLabel('Validity check (against the correct implementation)').fill(
    'python3 run_test.py stats.py ${student_test_name}',
  );
  await form.getByLabel('Run the valid tests against a buggy implementation').fill(
    'python3 run_test.py ${buggy_impl_name}.py ${student_test_name}',
  );
  // Points per bug take two decimals, as autograder.io's.
  await form.getByLabel('Points per exposed bug').fill('1.25');
  await form.getByLabel('Bugs shown (Normal)').selectOption('exposed_bug_names');

  // A command without its placeholder is refused with the reason under the field.
  expectErrors(failedRequest(400, /mutation_suites\/\d+\//));
  await form.getByLabel('Validity check (against the correct implementation)').fill('python3 run_test.py stats.py');
  await form.getByRole('button', { name: 'Save mutation suite' }).click();
  assert.equal(
    await fieldErrors(page, 'Validity check (against the correct implementation)'),
    'The validity check runs one test at a time: it must contain ${student_test_name}.',
  );
  await screenshot(page, 'mutation-00-staff-config-error');
  await form.getByLabel('Validity check (against the correct implementation)').fill(
    'python3 run_test.py stats.py ${student_test_name}',
  );

  await form.getByRole('button', { name: 'Save mutation suite' }).click();
  await form.getByText('Mutation suite saved.').waitFor();
  await page.getByRole('button', { name: 'Your tests (3 bugs, 3.75 points)' }).waitFor();
  await screenshot(page, 'mutation-01-staff-config');

  const suites = await apiFrom(page, 'GET', `projects/${state.projectId}/mutation_suites/`);
  assert.equal(suites.json.length, 1);
  state.suiteId = suites.json[0].id;
  assert.deepEqual(suites.json[0].buggy_impl_names, ['bug_mean', 'bug_max', 'bug_count']);
  assert.equal(suites.json[0].feedback.normal.bugs_exposed_feedback, 'exposed_bug_names');
  assert.equal(suites.json[0].instructor_files_needed.length, 6);
  assert.equal(suites.json[0].points_per_exposed_bug, 1.25);
});

step('a student whose tests catch 2 of 3 bugs sees which bugs they exposed', async () => {
  const alice = await loginAs(browser, 'alice@e2e.test');
  await alice.goto(`/projects/${state.projectId}`);
  await alice.getByLabel('Choose files').setInputFiles([file('test_stats.py', STUDENT_TESTS)]);
  await alice.getByText('✓ test_stats.py').waitFor();
  await alice.getByRole('button', { name: 'Submit', exact: true }).click();
  await alice.getByText('All tests finished.').waitFor({ timeout: GRADING_TIMEOUT });
  await alice.getByRole('link', { name: 'See the results' }).click();

  const result = alice.getByTestId('mutation-result');
  await result.waitFor();
  assert.equal((await alice.getByTestId('total-points').textContent()).trim(), '2.50 / 3.75 points');
  assert.equal((await result.getByTestId('bugs-exposed').textContent()).replace(/\s+/g, ' ').trim(), 'Your tests exposed 2 bugs.');
  const bugs = await result.getByTestId('bug-list').locator('li').allTextContents();
  assert.deepEqual(bugs.map((b) => b.trim()), ['bug_mean: exposed', 'bug_max: exposed']);
  const tests = await result.getByTestId('student-tests').locator('li').allTextContents();
  assert.deepEqual(tests.map((t) => t.replace(/\s+/g, ' ').trim()), [
    'test_max: valid',
    'test_mean: valid',
    'test_wrong: failed against the correct implementation: not used',
  ]);
  assert.equal(await alice.getByText('Shown with normal feedback.').count(), 1);
  await screenshot(alice, 'mutation-02-student-results');

  // The bug the tests missed, the instructor files and the suite's configuration stay hidden.
  const text = await alice.locator('main').textContent();
  for (const secret of ['bug_count', 'run_test.py', 'list_tests.py']) assert.ok(!text.includes(secret), secret);
  expectErrors(failedRequest(403, `mutation_suites/${state.suiteId}/`));
  const config = await apiFrom(alice, 'GET', `mutation_suites/${state.suiteId}/`);
  assert.equal(config.status, 403);
});

step('the gradebook has a column for the mutation suite, in the page and its CSV', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  await admin.goto(`/projects/${state.projectId}/admin?tab=gradebook`);
  await admin.getByRole('columnheader', { name: 'Your tests (mutation testing)' }).waitFor();
  const alice = admin.getByTestId('gradebook-row').filter({ hasText: 'alice@e2e.test' });
  assert.equal((await alice.getByTestId('gradebook-mutation-cell').innerText()).trim(), '2.50 / 3.75');
  assert.equal((await alice.locator('td.points').innerText()).trim(), '2.50 / 3.75');
  await screenshot(admin, 'mutation-03-gradebook-column');

  const csv = await admin.evaluate(async (path) => (await fetch(path)).text(), `/api/projects/${state.projectId}/gradebook.csv`);
  const [header, ...lines] = csv.trim().split(/\r?\n/).map((line) => line.split(','));
  const row = lines.find((cells) => cells[0] === 'alice@e2e.test');
  const column = header.indexOf('Your tests (mutation testing)');
  assert.ok(column > 0, header.join(','));
  assert.deepEqual([row[header.indexOf('total_points')], row[column]], ['2.5', '2.5']);
});

step('staff rerun only the mutation suite from the reruns tab', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  await admin.goto(`/projects/${state.projectId}/admin?tab=reruns`);
  await admin.getByLabel('Your tests (mutation testing)').check();
  await admin.getByRole('button', { name: 'Start rerun' }).click();
  const rerun = admin.getByTestId('rerun').first();
  await rerun.waitFor();
  await rerun.locator('.badge', { hasText: /Finished|Cancelled/ }).waitFor({ timeout: GRADING_TIMEOUT });
  assert.equal(await rerun.locator('.badge').innerText(), 'Finished');
  assert.match(await rerun.innerText(), /1 done, 0 failed, 0 cancelled of 1/);
  await screenshot(admin, 'mutation-04-rerun');
  const reruns = await apiFrom(admin, 'GET', `projects/${state.projectId}/reruns/`);
  assert.deepEqual(reruns.json.results[0].suite_selection, { mutation: [state.suiteId] });
});

step('the mutation suite is in the project.yaml; an edited one is imported with a dry run first', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  await admin.goto(`/projects/${state.projectId}/admin?tab=transfer`);
  await admin.getByRole('heading', { name: 'Tests as code' }).waitFor();
  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    admin.getByRole('link', { name: 'Download project.yaml' }).click(),
  ]);
  const exported = await readFile(await download.path(), 'utf8');
  assert.match(exported, /^mutation_suites:$/m);
  assert.match(exported, /points_per_exposed_bug: 1\.25$/m);
  assert.match(exported, /- bug_count\.py$/m);

  await admin.getByLabel('Import a project.yaml or project.zip').setInputFiles({
    name: 'project.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from(exported.replace('points_per_exposed_bug: 1.25', 'points_per_exposed_bug: 1.5')),
  });
  await admin.getByRole('button', { name: 'Preview changes' }).click();
  const changes = admin.getByTestId('import-changes');
  await changes.waitFor();
  assert.deepEqual(await changes.locator('li').allInnerTexts(), [
    "update mutation suite 'Your tests': points_per_exposed_bug 1.25 → 1.5",
  ]);
  await screenshot(admin, 'mutation-05-import-dry-run');
  await admin.getByRole('button', { name: 'Apply' }).click();
  await admin.getByRole('status').getByText('Imported 1 change(s).').waitFor();
  await admin.goto(`/projects/${state.projectId}/admin?tab=tests`);
  await admin.getByRole('button', { name: 'Your tests (3 bugs, 4.5 points)' }).waitFor();
});
