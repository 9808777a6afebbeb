// Filling a roster from pasted names in a real browser against a real server: a
// `Name <address>` line is one person, a line that is no address is named with its reason, the
// preview changes nothing, and only the confirmed change is made.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiFrom, launch, loginAs, screenshot, SEED } from './browser.mjs';

const LABEL = 'Students: email addresses or usernames';
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The usernames on the course's student roster, read through the API. */
async function students(page) {
  const answer = await apiFrom(page, 'GET', `courses/${SEED.course}/roster/student/?page_size=500`);
  assert.equal(answer.status, 200);
  return answer.json.results;
}

/** The preview table's rows as [line, person, name, what happens]. */
async function previewRows(page) {
  const rows = page.getByTestId('roster-preview').locator('tbody tr');
  const texts = [];
  for (const row of await rows.all()) {
    texts.push((await row.locator('td').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim()));
  }
  return texts;
}

test('an admin pastes a roster, sees the bad line, fixes it, previews and confirms', async () => {
  const page = await loginAs(browser, 'admin@e2e.test');
  await page.goto(`/courses/${SEED.course}/admin?tab=roster-student`);
  await page.getByRole('cell', { name: 'alice@e2e.test' }).first().waitFor();

  await page.getByLabel(LABEL).fill('Carol New <carol.new@e2e.test>\nnot-an-email\nalice@e2e.test');
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByTestId('roster-preview');
  await preview.waitFor();
  const problem = "Line 2: 'not-an-email' is not an email address, and no account has that username.";
  await page.locator('.field-errors').getByText(problem).waitFor();
  assert.deepEqual(await previewRows(page), [
    ['1', 'carol.new@e2e.test', 'Carol New', 'New account An account will be made for this address.'],
    ['2', 'not-an-email', '', "Problem 'not-an-email' is not an email address, and no account has that username."],
    ['3', 'alice@e2e.test', '', 'Already on the roster'],
  ]);
  await preview.getByText('1 student to add (1 with a new account), 1 already on the roster, 1 line with problems.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Confirm: add 1 student' }).isDisabled(), true);
  await screenshot(page, 'roster-1-preview-with-a-bad-line');
  assert.ok(!(await students(page)).some((user) => user.username === 'carol.new@e2e.test'), 'the preview changed nothing');

  // Editing the names drops the preview; the fixed list previews clean.
  await page.getByLabel(LABEL).fill('Carol New <carol.new@e2e.test>\nalice@e2e.test');
  await preview.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Preview' }).click();
  await preview.waitFor();
  assert.equal(await page.locator('.field-errors').count(), 0);
  assert.deepEqual((await previewRows(page)).map((row) => row[3]), [
    'New account An account will be made for this address.',
    'Already on the roster',
  ]);
  await screenshot(page, 'roster-2-preview');

  await page.getByRole('button', { name: 'Confirm: add 1 student' }).click();
  await page.getByText('New accounts: carol.new@e2e.test').waitFor();
  await page.getByRole('row', { name: /carol\.new@e2e\.test.*Carol New/ }).waitFor();
  await screenshot(page, 'roster-3-confirmed');
  const carol = (await students(page)).find((user) => user.username === 'carol.new@e2e.test');
  assert.deepEqual(
    [carol?.email, carol?.first_name, carol?.last_name],
    ['carol.new@e2e.test', 'Carol', 'New'],
    'one account, named as written',
  );
  assert.ok(!(await students(page)).some((user) => ['Carol', 'New', 'not-an-email'].includes(user.username)));

  // A replacement's preview lists who would lose the role; cancelling changes nothing.
  const before = (await students(page)).map((user) => user.username).sort();
  await page.getByLabel('Replace the roster with them').check();
  await page.getByLabel(LABEL).fill('alice@e2e.test');
  await page.getByRole('button', { name: 'Preview' }).click();
  await preview.waitFor();
  const removed = (await previewRows(page)).filter((row) => row[3].startsWith('Will be removed')).map((row) => row[1]);
  assert.deepEqual(removed.sort(), before.filter((name) => name !== 'alice@e2e.test'));
  await page.getByRole('button', { name: 'Cancel' }).click();
  await preview.waitFor({ state: 'detached' });
  assert.deepEqual((await students(page)).map((user) => user.username).sort(), before);
  await page.context().close();
});
