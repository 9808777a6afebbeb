// Importing a Gradescope autograder in a real browser, against a real server and a real Celery
// worker (a real `docker build` on the images queue, then real sandboxes): an admin uploads a
// zip zipped as a folder and is told why it is refused, uploads the right one, watches the
// image build's log until the suite is ready; alice's submission is graded by the unchanged
// autograder and she sees its tests. The admin uploads a new version of the autograder onto the
// same suite, watches its build, and alice's next submission is graded by it. Then a PrairieLearn
// grader's tests become a suite at once. The built images are removed afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, fieldErrors, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');
const PYTHON = process.env.E2E_PYTHON ?? join(REPO, '.venv/bin/python');
const BUILD_TIMEOUT = 300_000;
const GRADING_TIMEOUT = 180_000;

let browser;
const state = {};
const step = steps(() => browser);

function seed(env) {
  const out = execFileSync(PYTHON, [join(REPO, 'manage.py'), 'shell'], {
    encoding: 'utf-8',
    input: readFileSync(join(HERE, 'seed_autograder_imports.py'), 'utf-8'),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

before(async () => {
  browser = await launch();
  state.dir = mkdtempSync(join(tmpdir(), 'ag-e2e-imports-'));
  state.projectId = seed({ IMPORTS_COURSE: String(SEED.course), IMPORTS_DIR: state.dir }).project;
});

after(async () => {
  await browser?.close();
  for (const tag of [state.tag, state.tag2].filter(Boolean)) {
    execFileSync('docker', ['image', 'rm', '--force', tag], { stdio: 'ignore' });
  }
  if (state.dir) rmSync(state.dir, { recursive: true, force: true });
});

step('a zip with run_autograder inside a folder is refused, saying why', async () => {
  const path = `projects/${state.projectId}/autograder_imports/gradescope/`;
  expectErrors(failedRequest(400, path));
  const page = await loginAs(browser, 'admin@e2e.test');
  state.page = page;
  await page.goto(`/projects/${state.projectId}/admin?tab=import-autograder`);
  await page.getByRole('heading', { name: 'Import an autograder' }).waitFor();
  await page.getByLabel('Autograder zip', { exact: true }).setInputFiles(join(state.dir, 'folder-zipped.zip'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const reason = await fieldErrors(page, 'Autograder zip');
  assert.match(reason, /no run_autograder at its root/);
  assert.match(reason, /zip the folder's contents/);
  await screenshot(page, 'imports-01-refused');
  const listed = await apiFrom(page, 'GET', `projects/${state.projectId}/autograder_imports/`);
  assert.deepEqual(listed.json, [], 'nothing was stored');
});

step('the autograder zip becomes an image, its build log shows, then the suite is ready', async () => {
  const page = state.page;
  await page.getByLabel('Autograder zip', { exact: true }).setInputFiles(join(state.dir, 'calc-autograder.zip'));
  await page.getByLabel('Suite name').fill('Calculator tests');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const row = page.getByTestId('autograder-import').filter({ hasText: 'Calculator tests' });
  await row.waitFor();
  await page.getByTestId('import-build-log').getByText(/bash \.\/setup\.sh/).waitFor({ timeout: 60_000 });
  await screenshot(page, 'imports-02-building');
  await row.getByTestId('import-state').getByText('suite ready').waitFor({ timeout: BUILD_TIMEOUT });
  await page.getByTestId('import-build-log').getByText(/The image is ready/).waitFor();
  await screenshot(page, 'imports-03-ready');

  const suites = await apiFrom(page, 'GET', `projects/${state.projectId}/suites/`);
  const suite = suites.json.find((s) => s.name === 'Calculator tests');
  assert.equal(suite.file_layout, 'gradescope');
  assert.equal(suite.results_format, 'gradescope');
  assert.equal(suite.results_file_path, '/autograder/results/results.json');
  const imports = await apiFrom(page, 'GET', `projects/${state.projectId}/autograder_imports/`);
  const image = await apiFrom(page, 'GET', `sandbox_images/${imports.json[0].image}/`);
  assert.equal(suite.sandbox_image, image.json.reference);
  state.tag = image.json.tag;

  await row.getByRole('link', { name: 'Calculator tests' }).click();
  await page.getByText('Calculator tests').first().waitFor();
  await screenshot(page, 'imports-04-suite');
});

/** Alice submits calc.py; waits until the real worker has graded it. */
async function aliceSubmits() {
  const { submission } = seed({ IMPORTS_SUBMIT_PROJECT: String(state.projectId) });
  const admin = state.page;
  const deadline = Date.now() + GRADING_TIMEOUT;
  let status = '';
  while (status !== 'finished_grading') {
    assert.ok(Date.now() < deadline, `not graded in time (${status})`);
    await admin.waitForTimeout(1000);
    status = (await apiFrom(admin, 'GET', `submissions/${submission}/`)).json.status;
    assert.notEqual(status, 'error');
  }
  return submission;
}

async function testsOf(page, submission) {
  const results = await apiFrom(page, 'GET', `submissions/${submission}/results/`);
  return Object.fromEntries(
    results.json.suites.flatMap((s) => s.cases ?? []).map((c) => [c.name, [c.points_awarded, c.points_possible]]),
  );
}

step("alice's submission is graded by the unchanged autograder", async () => {
  const submission = await aliceSubmits();
  const page = await loginAs(browser, 'alice@e2e.test');
  state.alice = page;
  const tests = await testsOf(page, submission);
  assert.deepEqual(tests, { test_add: [2, 2], test_mul: [0, 3], test_setup_ran_at_build: [1, 1] });
  await page.goto(`/projects/${state.projectId}/submissions/${submission}`);
  await page.getByText('test_mul').first().waitFor();
  // The setup (copying the built /autograder into the sandbox) succeeded.
  assert.equal(await page.getByText(/Setup failed/).count(), 0);
  await screenshot(page, 'imports-05-student-results');
});

step('a new version of the autograder is built for the same suite, and grades the next submission', async () => {
  const page = state.page;
  const suitesBefore = (await apiFrom(page, 'GET', `projects/${state.projectId}/suites/`)).json;
  const suiteBefore = suitesBefore.find((s) => s.name === 'Calculator tests');
  await page.goto(`/projects/${state.projectId}/admin?tab=import-autograder`);
  const row = page.getByTestId('autograder-import').filter({ hasText: 'Calculator tests' });
  await row.getByTestId('import-version').getByText('version 1', { exact: true }).waitFor();
  await row.getByRole('button', { name: 'Upload a new version' }).click();
  const form = page.getByRole('form', { name: 'New version of Calculator tests' });
  await form.getByLabel('New version zip').setInputFiles(join(state.dir, 'calc-autograder-v2.zip'));
  await form.getByLabel(/New time limit/).fill('60');
  await screenshot(page, 'imports-05a-new-version-form');
  await form.getByRole('button', { name: 'Upload version' }).click();
  await row.getByTestId('import-version').getByText('version 2', { exact: true }).waitFor();
  await page.getByTestId('import-build-log').getByText(/bash \.\/setup\.sh/).waitFor({ timeout: 60_000 });
  await screenshot(page, 'imports-05b-new-version-building');
  await row.getByTestId('import-version-build').getByText('built').waitFor({ timeout: BUILD_TIMEOUT });
  await row.getByText('History').click();
  assert.equal(await row.getByTestId('import-version-entry').count(), 2);
  await screenshot(page, 'imports-05c-new-version-ready');

  const suites = (await apiFrom(page, 'GET', `projects/${state.projectId}/suites/`)).json;
  assert.equal(suites.length, suitesBefore.length, 'no second suite');
  const suite = suites.find((s) => s.name === 'Calculator tests');
  assert.equal(suite.id, suiteBefore.id);
  assert.deepEqual(suite.feedback, suiteBefore.feedback);
  assert.equal(suite.cases[0].commands[0].time_limit_s, 60);
  const imports = await apiFrom(page, 'GET', `projects/${state.projectId}/autograder_imports/`);
  state.tag2 = (await apiFrom(page, 'GET', `sandbox_images/${imports.json[0].image}/`)).json.tag;
  assert.notEqual(state.tag2, state.tag);

  const submission = await aliceSubmits();
  const tests = await testsOf(state.alice, submission);
  assert.deepEqual(tests, { test_add: [2, 2], test_mul: [0, 5], test_setup_ran_at_build: [1, 1] });
  await state.alice.goto(`/projects/${state.projectId}/submissions/${submission}`);
  await state.alice.getByText('test_mul').first().waitFor();
  await screenshot(state.alice, 'imports-05d-graded-by-new-version');
});

step("a PrairieLearn grader's tests become instructor files and a suite running the named command", async () => {
  const page = state.page;
  await page.goto(`/projects/${state.projectId}/admin?tab=import-autograder`);
  await page.getByLabel('PrairieLearn external grader').check();
  await page.getByLabel("Zip of the question's tests/ files").setInputFiles(join(state.dir, 'pl-tests.zip'));
  await page.getByLabel('Grader command').fill('/grade/tests/run.sh');
  await page.getByLabel('Suite name').fill('Sum (PrairieLearn)');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const row = page.getByTestId('autograder-import').filter({ hasText: 'Sum (PrairieLearn)' });
  await row.getByTestId('import-state').getByText('suite ready').waitFor();
  assert.match(await row.textContent(), /run\.sh, in1\.txt, out1\.txt, in2\.txt, out2\.txt/);
  await screenshot(page, 'imports-06-prairielearn');
  const suites = await apiFrom(page, 'GET', `projects/${state.projectId}/suites/`);
  const suite = suites.json.find((s) => s.name === 'Sum (PrairieLearn)');
  assert.equal(suite.file_layout, 'prairielearn');
  assert.equal(suite.results_file_path, '/grade/results/results.json');
  assert.equal(suite.cases[0].commands[0].cmd, '/grade/tests/run.sh');
});
