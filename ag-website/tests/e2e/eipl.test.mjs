// EiPL questions in a real browser against a real server, worker (on the llm queue too) and
// sandbox, with the language-model stand-in on 127.0.0.1 (autograder-server/tests/eipl/
// llm_standin.py, started by scripts/test-website): staff make a project a question and edit
// it; a student types an explanation, sees the code written from it and its score; a wrong
// explanation gets fewer points. A superuser gives the course model limits of its own. A C question (its signature given on the admin page) is
// graded on the C the model writes, compiled in the sandbox.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const GRADING_TIMEOUT = 180_000;
let browser;
const state = {};
const step = steps(() => browser);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

step('staff make a project an EiPL question in its admin page, then edit it', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  state.admin = admin;
  const project = await apiFrom(admin, 'POST', `courses/${SEED.course}/projects/`, {
    name: 'Explain add',
    visible_to_students: true,
    closing_time: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
  });
  assert.equal(project.status, 201, JSON.stringify(project.json));
  state.projectId = project.json.id;
  // Not a question yet: the form asks for the question and gets a 404.
  expectErrors(failedRequest(404, `projects/${state.projectId}/eipl_question/`));
  await admin.goto(`/projects/${state.projectId}/admin?tab=eipl`);
  await admin.getByRole('heading', { name: 'EiPL question (explain in plain English)' }).waitFor();
  await admin.getByLabel('Function name').fill('add');
  for (const [args, expected] of [['[1, 2]', '3'], ['[5, 0]', '5'], ['[-1, 1]', '0']]) {
    await admin.getByRole('button', { name: 'Add test case' }).click();
    const n = await admin.getByTestId('eipl-case').count();
    await admin.getByLabel(`Arguments of test case ${n}`).fill(args);
    await admin.getByLabel(`Expected value of test case ${n}`).fill(expected);
  }
  await admin.getByRole('button', { name: 'Make this project an EiPL question' }).click();
  await admin.getByTestId('eipl-saved').waitFor();
  await admin.getByText('Today the course used 0 of 1000 language-model calls').waitFor();

  // A bad argument list is caught on its row; nothing is saved.
  await admin.getByLabel('Arguments of test case 2').fill('[5, 0');
  await admin.getByRole('button', { name: 'Save question' }).click();
  await admin.getByText('Not valid JSON.').waitFor();
  await admin.getByLabel('Arguments of test case 2').fill('[5, 0]');
  // Staff edit it: two points a test case.
  await admin.getByLabel('Points per test case').fill('2');
  const put = admin.waitForResponse((r) => r.url().endsWith(`/eipl_question/`) && r.request().method() === 'PUT');
  await admin.getByRole('button', { name: 'Save question' }).click();
  assert.equal((await put).status(), 200);
  assert.equal(await admin.getByText('Not valid JSON.').count(), 0);
  const saved = await apiFrom(admin, 'GET', `projects/${state.projectId}/eipl_question/`);
  assert.equal(saved.json.points_per_case, 2);
  assert.deepEqual(saved.json.test_cases.map((c) => c.args), [[1, 2], [5, 0], [-1, 1]]);
  const suites = await apiFrom(admin, 'GET', `projects/${state.projectId}/suites/`);
  const [suite] = suites.json.results ?? suites.json;
  assert.equal(suite.name, 'EiPL tests');
  assert.deepEqual(suite.cases.map((c) => c.name), ['1. add(1, 2)', '2. add(5, 0)', '3. add(-1, 1)']);
  await screenshot(admin, 'eipl-01-staff-question');
  // Staff read the course's daily model limits; only a superuser may change them.
  const limits = admin.getByTestId('eipl-limits');
  await limits.getByText("the site's").first().waitFor();
  assert.equal(await admin.getByRole('button', { name: 'Save limits' }).count(), 0);
});

step('a superuser gives the course model limits of its own, then hands it back to the site', async () => {
  const root = await loginAs(browser, 'root@e2e.test');
  await root.goto(`/projects/${state.projectId}/admin?tab=eipl`);
  const limits = root.getByTestId('eipl-limits');
  await limits.getByRole('button', { name: 'Save limits' }).waitFor();
  await limits.getByLabel('Calls per day').fill('2500');
  await limits.getByRole('button', { name: 'Save limits' }).click();
  await limits.getByText("this course's own").waitFor();
  await root.reload();
  await root.getByText('Today the course used 0 of 2500 language-model calls').waitFor();
  await screenshot(root, 'eipl-01b-course-limits');
  await root.getByTestId('eipl-limits').getByRole('button', { name: "Use the site's limits" }).click();
  await root.getByTestId('eipl-limits').getByText("this course's own").waitFor({ state: 'detached' });
  const back = await apiFrom(root, 'GET', `courses/${SEED.course}/eipl_limits/`);
  assert.deepEqual([back.json.calls_own, back.json.calls_limit], [false, 1000]);
  await root.close();
});

async function explain(page, text) {
  await page.getByRole('textbox', { name: 'Your explanation' }).fill(text);
  await page.getByRole('button', { name: 'Submit explanation' }).click();
}

async function waitForScore(page, expected) {
  await page.getByTestId('eipl-score').filter({ hasText: expected }).waitFor({ timeout: GRADING_TIMEOUT });
}

step('a student explains the function, sees the code written from it and full points', async () => {
  // Alice has no group yet: the page asks for it and gets a 404.
  expectErrors(failedRequest(404, `projects/${state.projectId}/my_group/`));
  const alice = await loginAs(browser, 'alice@e2e.test');
  state.alice = alice;
  await alice.goto(`/projects/${state.projectId}`);
  await alice.getByRole('button', { name: 'I am working alone' }).click();
  await alice.getByRole('heading', { name: 'Explain the code in plain English' }).waitFor();
  assert.equal(await alice.getByLabel('Choose files').count(), 0, 'no file upload on a question');
  await explain(alice, 'It adds the two numbers it is given.');
  const code = alice.getByTestId('eipl-code');
  await code.getByText('return a + b').waitFor({ timeout: GRADING_TIMEOUT });
  await waitForScore(alice, 'Score: 6 / 6');
  assert.equal(await alice.getByTestId('eipl-explanation').textContent(), 'It adds the two numbers it is given.');
  const html = await alice.content();
  assert.ok(!html.includes('e2e-llm-key'), 'the API key never reaches the page');
  await screenshot(alice, 'eipl-02-student-full-points');
});

step('a wrong explanation gets the code it describes and fewer points', async () => {
  const alice = state.alice;
  await alice.getByRole('button', { name: 'Submit explanation' }).and(alice.locator(':enabled')).waitFor({ timeout: GRADING_TIMEOUT });
  await explain(alice, 'It subtracts the second number from the first.');
  await alice.getByTestId('eipl-code').getByText('return a - b').waitFor({ timeout: GRADING_TIMEOUT });
  await waitForScore(alice, 'Score: 2 / 6');
  await screenshot(alice, 'eipl-03-student-partial');
});

step('staff make a C question with its signature; a student explains it and gets full points', async () => {
  const admin = state.admin;
  const project = await apiFrom(admin, 'POST', `courses/${SEED.course}/projects/`, {
    name: 'Explain add in C',
    visible_to_students: true,
    closing_time: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
  });
  assert.equal(project.status, 201, JSON.stringify(project.json));
  const projectId = project.json.id;
  expectErrors(failedRequest(404, `projects/${projectId}/eipl_question/`));
  await admin.goto(`/projects/${projectId}/admin?tab=eipl`);
  await admin.getByLabel('Function name').fill('add');
  assert.equal(await admin.getByLabel('C signature').count(), 0, 'no signature for Python');
  await admin.getByLabel('Language').selectOption('c');
  assert.equal(await admin.getByLabel('File name of the generated code').inputValue(), 'solution.c');
  for (const [args, expected] of [['[1, 2]', '3'], ['[5, 0]', '5'], ['[-1, 1]', '0']]) {
    await admin.getByRole('button', { name: 'Add test case' }).click();
    const n = await admin.getByTestId('eipl-case').count();
    await admin.getByLabel(`Arguments of test case ${n}`).fill(args);
    await admin.getByLabel(`Expected value of test case ${n}`).fill(expected);
  }
  // A signature the harness cannot call is refused, naming the reason.
  expectErrors(failedRequest(400, `projects/${projectId}/eipl_question/`));
  await admin.getByLabel('C signature').fill('void add(int a, int b)');
  await admin.getByRole('button', { name: 'Make this project an EiPL question' }).click();
  await admin.getByRole('listitem').filter({ hasText: 'The return type: void is not supported' }).waitFor();
  await admin.getByLabel('C signature').fill('int add(int a,int b);');
  await admin.getByRole('button', { name: 'Make this project an EiPL question' }).click();
  await admin.getByTestId('eipl-saved').waitFor();
  // Stored normalized.
  assert.equal(await admin.getByLabel('C signature').inputValue(), 'int add(int a, int b)');
  const suites = await apiFrom(admin, 'GET', `projects/${projectId}/suites/`);
  const [suite] = suites.json.results ?? suites.json;
  assert.deepEqual(suite.cases.map((c) => c.name), ['1. add(1, 2)', '2. add(5, 0)', '3. add(-1, 1)']);
  await screenshot(admin, 'eipl-04-staff-c-question');

  const alice = state.alice;
  expectErrors(failedRequest(404, `projects/${projectId}/my_group/`));
  await alice.goto(`/projects/${projectId}`);
  await alice.getByRole('button', { name: 'I am working alone' }).click();
  await alice.getByText('int add(int a, int b)').first().waitFor();
  await alice.getByText('A language model writes a C function').waitFor();
  await explain(alice, 'It adds the two numbers it is given.');
  await alice.getByTestId('eipl-code').getByText('return a + b;').waitFor({ timeout: GRADING_TIMEOUT });
  await waitForScore(alice, 'Score: 3 / 3');
  await screenshot(alice, 'eipl-05-student-c-full-points');
});
