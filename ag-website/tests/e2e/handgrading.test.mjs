// Handgrading in a real browser: staff write a rubric; a handgrader selects lines, applies an
// annotation, comments and ticks criteria while a staff member on the same group sees the
// changes arrive; staff release it; the student sees it beside the automated score.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const HELLO = 'import sys\n\n\ndef main():\n    limit = 42\n    print("Hello" * limit)\n\n\nif __name__ == "__main__":\n    main()\n';
const UTIL = 'def double(x):\n    return 2 * x\n';

let browser;
const state = {};
const step = steps(() => browser);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Uploads files as the page's user to a group (multipart, as the submit form does). */
async function upload(page, groupId, files) {
  return page.evaluate(
    async ({ groupId, files }) => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='))?.split('=')[1] ?? '';
      const form = new FormData();
      for (const [name, text] of Object.entries(files)) form.append('files', new File([text], name));
      const response = await fetch(`/api/groups/${groupId}/submissions/`, { method: 'POST', headers: { 'X-CSRFToken': csrf }, body: form });
      return { status: response.status, json: await response.json() };
    },
    { groupId, files },
  );
}

step('a student has a graded submission of two files', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  state.admin = admin;
  const created = await apiFrom(admin, 'POST', `courses/${SEED.course}/projects/`, { name: 'Style', visible_to_students: true });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  state.projectId = created.json.id;
  for (const pattern of ['hello.py', 'util.py']) {
    const made = await apiFrom(admin, 'POST', `projects/${state.projectId}/expected_files/`, { pattern });
    assert.equal(made.status, 201, JSON.stringify(made.json));
  }

  const alice = await loginAs(browser, 'alice@e2e.test');
  state.alice = alice;
  const group = await apiFrom(alice, 'POST', `projects/${state.projectId}/groups/solo/`);
  assert.equal(group.status, 201, JSON.stringify(group.json));
  state.groupId = group.json.id;
  const sent = await upload(alice, state.groupId, { 'hello.py': HELLO, 'util.py': UTIL });
  assert.equal(sent.status, 201, JSON.stringify(sent.json));
  const deadline = Date.now() + 120_000;
  let status = '';
  while (Date.now() < deadline && status !== 'finished_grading') {
    status = (await apiFrom(alice, 'GET', `submissions/${sent.json.id}/`)).json.status;
    await alice.waitForTimeout(300);
  }
  assert.equal(status, 'finished_grading');
});

step('staff write a rubric: criteria (one fixed in place and moved up) and an annotation with a cap', async () => {
  const page = state.admin;
  // Staff have no group of their own in the project: the project page's question about it is a 404.
  expectErrors(failedRequest(404, `projects/${state.projectId}/my_group/`));
  await page.goto(`/projects/${state.projectId}`);
  await page.getByRole('link', { name: 'Handgrading' }).click();
  await page.getByText('This project has no handgrading rubric yet.').waitFor();
  await page.getByRole('link', { name: 'Rubric' }).click();
  await page.getByLabel('Maximum points').fill('10');
  await page.getByRole('button', { name: 'Create rubric' }).click();
  await page.getByRole('heading', { name: 'Criteria' }).waitFor();
  // The second criterion is mistyped at first, then fixed in its row.
  for (const [name, points] of [['Readable code', '4'], ['Handles bad inptu', '5']]) {
    await page.getByLabel('New criterion').fill(name);
    await page.getByLabel('Criterion points').fill(points);
    await page.getByRole('button', { name: 'Add criterion' }).click();
    await page.getByRole('cell', { name, exact: true }).waitFor();
  }
  await page.getByRole('button', { name: 'Edit criterion Handles bad inptu' }).click();
  await page.getByLabel('Criterion name').fill('Handles bad input');
  await page.getByLabel('Points', { exact: true }).fill('6');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('cell', { name: 'Handles bad input', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Move criterion Handles bad input up' }).click();
  await page.getByTestId('criterion-row').first().getByRole('cell', { name: 'Handles bad input', exact: true }).waitFor();
  const rows = await page.getByTestId('criterion-row').allInnerTexts();
  assert.deepEqual(rows.map((r) => r.split('\t').slice(0, 2).map((c) => c.trim())), [['Handles bad input', '6'], ['Readable code', '4']]);
  await page.getByLabel('New annotation').fill('Magic number');
  await page.getByLabel('Deduction').fill('-1');
  await page.getByLabel('Cap (optional)').fill('-2');
  await page.getByRole('button', { name: 'Add annotation' }).click();
  await page.getByRole('cell', { name: 'Magic number', exact: true }).waitFor();
  await screenshot(page, 'handgrading-01-rubric');
});

step("staff assign the group to a handgrader picked from the course's graders", async () => {
  const page = state.admin;
  await page.getByRole('link', { name: 'Groups' }).click();
  const grader = page.getByLabel('Grader', { exact: true });
  await grader.locator('option', { hasText: 'gina@e2e.test' }).waitFor({ state: 'attached' });
  const options = await grader.locator('option').allInnerTexts();
  assert.equal(options[0], 'Nobody (unassign)');
  assert.ok(options.some((o) => /gina@e2e\.test.*handgrader/.test(o)), options.join(' | '));
  assert.ok(!options.some((o) => o.includes('alice@e2e.test')), 'students are not offered');
  await page.getByLabel('Select alice@e2e.test').check();
  await grader.selectOption('gina@e2e.test');
  await page.getByRole('button', { name: 'Assign 1 selected' }).click();
  await page.getByRole('row', { name: /alice@e2e\.test/ }).getByRole('cell', { name: 'gina@e2e.test', exact: true }).waitFor();
  await screenshot(page, 'handgrading-01b-assigned');
});

step('a handgrader annotates lines, comments and ticks a criterion; staff on the same group see it live', async () => {
  const gina = await loginAs(browser, 'gina@e2e.test');
  state.gina = gina;
  expectErrors(failedRequest(404, `projects/${state.projectId}/my_group/`));
  await gina.goto(`/projects/${state.projectId}`);
  await gina.getByRole('link', { name: 'Handgrading' }).click();
  const row = gina.getByRole('row', { name: /alice@e2e\.test/ });
  await row.getByText('Not started').waitFor();
  await screenshot(gina, 'handgrading-02-progress');
  await row.getByRole('link', { name: 'Grade alice@e2e.test' }).click();
  await gina.getByRole('heading', { name: 'Grading alice@e2e.test' }).waitFor();
  await gina.getByLabel('Contents of hello.py').waitFor();
  // Highlighted by highlight.js: Python keywords are marked up.
  assert.ok(await gina.locator('.hljs-keyword').count() > 0, 'the code is highlighted');

  // Staff open the same group in their own browser. Both pages follow the result live
  // (server-sent events): no polling while the stream is up.
  const admin = state.admin;
  const reloads = [];
  admin.on('request', (request) => {
    if (request.url().includes(`/groups/${state.groupId}/handgrading_result/`)) reloads.push(request.url());
  });
  const streamed = admin.waitForRequest((request) => /\/handgrading_results\/\d+\/events\/$/.test(request.url()));
  await admin.goto(`/projects/${state.projectId}/handgrading/groups/${state.groupId}`);
  await admin.getByTestId('handgrading-total').getByText('0 / 10 points').waitFor();
  await streamed;
  await admin.getByTestId('handgrading-live').getByText(/^Live:/).waitFor();
  await gina.getByTestId('handgrading-live').getByText(/^Live:/).waitFor();
  const opened = reloads.length;
  await admin.waitForTimeout(4000); // longer than the fallback's polling interval
  assert.equal(reloads.length, opened, 'a live page does not poll');

  await gina.getByRole('button', { name: 'Line 5', exact: true }).click();
  await gina.getByRole('button', { name: 'Line 6', exact: true }).click({ modifiers: ['Shift'] });
  await gina.getByText('Selected: hello.py, lines 5–6').waitFor();
  await gina.getByRole('button', { name: /Apply “Magic number”/ }).click();
  await gina.getByTestId('applied-annotation').getByText('Magic number').waitFor();
  await gina.getByLabel('Readable code (+4)').check();
  await gina.getByTestId('handgrading-total').getByText('3 / 10 points').waitFor();
  await gina.getByRole('button', { name: 'Line 5', exact: true }).click();
  await gina.getByLabel('Comment on line 5').fill('Name this constant.');
  await gina.getByRole('button', { name: 'Add comment' }).click();
  await gina.getByTestId('comment').getByText('Name this constant.').waitFor();

  // The other file, by keyboard.
  await gina.locator('body').press(']');
  await gina.getByLabel('Contents of util.py').waitFor();
  await gina.locator('body').press('[');
  await gina.getByLabel('Contents of hello.py').waitFor();
  await screenshot(gina, 'handgrading-03-grading-page');

  // Staff's page picks up the handgrader's changes without a reload, as each is saved.
  await admin.getByTestId('handgrading-total').getByText('3 / 10 points').waitFor({ timeout: 15_000 });
  assert.ok(reloads.length > opened, 'the change reached the staff page through its stream');
  await admin.getByTestId('comment').getByText('Name this constant.').waitFor();
  // And the handgrader's page picks up staff's: staff tick the second criterion.
  await admin.getByLabel('Handles bad input (+6)').check();
  await gina.getByTestId('handgrading-total').getByText('9 / 10 points').waitFor({ timeout: 15_000 });
  await gina.getByLabel('Finished grading this group').check();
  await gina.getByRole('link', { name: 'Handgrading', exact: true }).click();
  await gina.getByRole('row', { name: /alice@e2e\.test/ }).getByText('Graded').waitFor();
});

step('staff release handgrading and the student sees it beside the automated score', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}/handgrading?tab=rubric`);
  await admin.getByLabel('Released to students').check();
  await admin.getByRole('button', { name: 'Save rubric settings' }).click();
  await admin.getByText('Saved.').waitFor();

  const alice = state.alice;
  await alice.goto(`/projects/${state.projectId}?tab=submissions`);
  await alice.getByTestId('handgrading-summary').getByText('9 / 10').waitFor();
  await alice.getByRole('link', { name: 'see the details' }).click();
  await alice.getByTestId('my-handgrading-total').getByText('9 / 10 points').waitFor();
  await alice.getByLabel('Contents of hello.py').waitFor();
  await alice.getByTestId('applied-annotation').getByText('Magic number').waitFor();
  await alice.getByTestId('comment').getByText('Name this constant.').waitFor();
  assert.equal(await alice.getByText('gina@e2e.test').count(), 0, "the student doesn't see who graded");
  await screenshot(alice, 'handgrading-04-student-view');

  // The gradebook carries the handgraded points.
  const book = await apiFrom(admin, 'GET', `projects/${state.projectId}/gradebook/`);
  const rowOf = book.json.results.find((r) => r.group === state.groupId);
  assert.deepEqual(rowOf.extra, [{ key: 'handgrading', name: 'Handgrading', points_awarded: 9, points_possible: 10 }]);
});
