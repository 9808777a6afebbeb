// Staff manage a project's groups on its admin page, in a real browser against a real server:
// create groups, edit members (refused, with the reason under the field, for a student already in
// another group), grant an extension and bonus submissions, merge two groups, delete an empty one;
// the student then sees the extension. Also on a phone, and the unsaved-settings warning.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, fieldErrors, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const PHONE = { width: 390, height: 844 };

let browser;
const state = {};
const step = steps(() => browser);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const groupRows = (page) => page.getByTestId('group-row');
const rowOf = (page, label) => groupRows(page).filter({ has: page.getByRole('cell', { name: label, exact: true }) });

step('staff create groups from the groups tab', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  state.admin = admin;
  const project = await apiFrom(admin, 'POST', `courses/${SEED.course}/projects/`, {
    name: 'Pairs',
    visible_to_students: true,
    max_group_size: 2,
    closing_time: new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString(),
  });
  assert.equal(project.status, 201, JSON.stringify(project.json));
  state.projectId = project.json.id;

  await admin.goto(`/projects/${state.projectId}/admin?tab=groups`);
  await admin.getByRole('heading', { name: 'Groups', exact: true }).waitFor();
  assert.equal(await admin.title(), 'Project admin: Pairs · Autograder');
  for (const members of ['alice@e2e.test', 'bob@e2e.test', 'carol@e2e.test']) {
    await admin.getByLabel('Members: usernames or emails').fill(members);
    await admin.getByRole('button', { name: 'Create group' }).click();
    await admin.getByRole('status').getByText(`Created the group of ${members}.`).waitFor();
  }
  assert.deepEqual((await groupRows(admin).locator('td:first-child').allInnerTexts()).sort(), [
    'alice@e2e.test',
    'bob@e2e.test',
    'carol@e2e.test',
  ]);
});

step('adding a student who is in another group is refused, with the reason under Members', async () => {
  expectErrors(failedRequest(409, /groups\/\d+\//));
  const admin = state.admin;
  await rowOf(admin, 'alice@e2e.test').getByRole('button', { name: 'Edit the group of alice@e2e.test' }).click();
  const editor = admin.getByRole('form', { name: 'Edit the group of alice@e2e.test' });
  await editor.getByLabel('Members', { exact: true }).fill('alice@e2e.test, bob@e2e.test');
  await editor.getByRole('button', { name: 'Save group' }).click();
  const reason = await fieldErrors(admin, 'Members');
  assert.match(reason, /bob@e2e\.test/);
  // Said once, under the field.
  assert.equal((await editor.innerText()).split('Already in a group').length - 1, 1);
  // The banner names the field as the form does, never by its API name.
  assert.doesNotMatch(await editor.innerText(), /bonus_submissions_remaining|extended_due_date|members:/);
  await screenshot(admin, 'groups-01-member-refused');
  await editor.getByRole('button', { name: 'Cancel' }).click();
});

step('staff merge two groups and the merged group has both members', async () => {
  const admin = state.admin;
  await admin.getByLabel('Merge this group').selectOption({ label: 'bob@e2e.test' });
  await admin.getByLabel('Into this group').selectOption({ label: 'alice@e2e.test' });
  admin.once('dialog', (dialog) => dialog.accept());
  await admin.getByRole('button', { name: 'Merge groups' }).click();
  await admin.getByRole('status').getByText('Merged. The group is now alice@e2e.test, bob@e2e.test.').waitFor();
  assert.deepEqual((await groupRows(admin).locator('td:first-child').allInnerTexts()).sort(), ['alice@e2e.test, bob@e2e.test', 'carol@e2e.test']);
});

step('staff grant an extension and bonus submissions, and the students see the extension', async () => {
  const admin = state.admin;
  const label = 'alice@e2e.test, bob@e2e.test';
  await rowOf(admin, label).getByRole('button', { name: `Edit the group of ${label}` }).click();
  const editor = admin.getByRole('form', { name: `Edit the group of ${label}` });
  const extension = new Date(Date.now() + 10 * 24 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  const local = `${extension.getFullYear()}-${pad(extension.getMonth() + 1)}-${pad(extension.getDate())}T18:00`;
  await editor.getByLabel('Extension until').fill(local);
  await editor.getByLabel('Bonus submissions left').fill('2');
  await screenshot(admin, 'groups-02-editing-extension');
  await editor.getByRole('button', { name: 'Save group' }).click();
  await admin.getByRole('status').getByText(`Saved the group of ${label}.`).waitFor();
  const row = rowOf(admin, label);
  assert.equal(await row.locator('td').nth(3).innerText(), '2');
  assert.notEqual((await row.locator('td').nth(2).innerText()).trim(), '');
  await screenshot(admin, 'groups-03-after-extension');

  const bob = await loginAs(browser, 'bob@e2e.test');
  await bob.goto(`/projects/${state.projectId}`);
  await bob.getByText('Your group has an extension until').waitFor();
  await bob.getByText('Bonus submissions left').waitFor();
  await bob.context().close();
});

step('staff delete a group without submissions', async () => {
  const admin = state.admin;
  await rowOf(admin, 'carol@e2e.test').getByRole('button', { name: 'Edit the group of carol@e2e.test' }).click();
  admin.once('dialog', (dialog) => dialog.accept());
  await admin.getByRole('button', { name: 'Delete group' }).click();
  await admin.getByRole('status').getByText('Deleted the group of carol@e2e.test.').waitFor();
  assert.deepEqual(await groupRows(admin).locator('td:first-child').allInnerTexts(), ['alice@e2e.test, bob@e2e.test']);
});

step('the gradebook lists students in no group, as its CSV does', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}/admin?tab=gradebook`);
  const carol = admin.getByTestId('gradebook-row').filter({ hasText: 'carol@e2e.test' });
  await carol.getByText('(in no group)').waitFor();
  assert.match(await carol.innerText(), /none/);
  await screenshot(admin, 'groups-05-gradebook-without-group');
});

step('leaving project settings with unsaved changes asks first', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}/admin?tab=settings`);
  await admin.getByLabel('Largest group').fill('3');
  await admin.getByTestId('unsaved').waitFor();
  let asked = '';
  admin.once('dialog', (dialog) => {
    asked = dialog.message();
    return dialog.dismiss();
  });
  await admin.getByRole('link', { name: 'Groups' }).click();
  await admin.waitForTimeout(300);
  assert.match(asked, /unsaved changes/);
  assert.equal(await admin.getByLabel('Largest group').inputValue(), '3', 'the change is still there');
  assert.match(admin.url(), /tab=settings/);
  // The time zone is picked from a list, and memory limits are typed in MB/GB elsewhere.
  const zones = await admin.getByLabel('Time zone of the daily reset').locator('option').allInnerTexts();
  assert.ok(zones.includes('America/Detroit') && zones.includes('UTC') && !zones.includes('EST'));
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.getByText('Saved.').waitFor();
  await admin.getByRole('link', { name: 'Groups' }).click();
  await admin.getByRole('heading', { name: 'Groups', exact: true }).waitFor();
});

step('the test editor asks before unsaved edits are lost (another item, another tab)', async () => {
  const admin = state.admin;
  const suite = await apiFrom(admin, 'POST', `projects/${state.projectId}/suites/`, { name: 'Pair tests' });
  assert.equal(suite.status, 201, JSON.stringify(suite.json));
  const testCase = await apiFrom(admin, 'POST', `suites/${suite.json.id}/cases/`, { name: 'Both partners listed' });
  assert.equal(testCase.status, 201, JSON.stringify(testCase.json));
  await admin.goto(`/projects/${state.projectId}/admin?tab=tests`);
  await admin.getByRole('button', { name: 'Pair tests', exact: true }).click();
  await admin.getByRole('heading', { name: 'Suite: Pair tests' }).waitFor();
  const description = admin.getByLabel("Description (Markdown, shown with the suite's results)");
  await description.fill('Checks the README names both partners.');
  await admin.getByTestId('unsaved').waitFor();

  // Selecting the test would replace the suite's form: staff are asked, and keep the edit.
  let asked = '';
  admin.once('dialog', (dialog) => {
    asked = dialog.message();
    return dialog.dismiss();
  });
  await admin.getByRole('button', { name: 'Both partners listed', exact: true }).click();
  await admin.waitForTimeout(300);
  assert.equal(asked, 'The suite "Pair tests" has unsaved changes. Leave without saving them?');
  await admin.getByRole('heading', { name: 'Suite: Pair tests' }).waitFor();
  assert.equal(await description.inputValue(), 'Checks the README names both partners.');
  await screenshot(admin, 'groups-06-test-editor-unsaved');

  // Another tab: asked again; choosing to leave discards the edit, nothing was saved.
  admin.once('dialog', (dialog) => dialog.accept());
  await admin.getByRole('link', { name: 'Groups' }).click();
  await admin.getByRole('heading', { name: 'Groups', exact: true }).waitFor();
  const stored = await apiFrom(admin, 'GET', `projects/${state.projectId}/suites/`);
  const stored_suite = (stored.json.results ?? stored.json).find((s) => s.id === suite.json.id);
  assert.equal(stored_suite.description, '');

  // After a save, moving on asks nothing.
  await admin.goto(`/projects/${state.projectId}/admin?tab=tests`);
  await admin.getByRole('button', { name: 'Pair tests', exact: true }).click();
  await description.fill('Saved this time.');
  await admin.getByRole('button', { name: 'Save suite' }).click();
  await admin.getByText('Suite saved.').waitFor();
  admin.once('dialog', (dialog) => {
    asked = `unexpected: ${dialog.message()}`;
    return dialog.dismiss();
  });
  asked = '';
  await admin.getByRole('button', { name: 'Both partners listed', exact: true }).click();
  await admin.getByRole('heading', { name: 'Test: Both partners listed' }).waitFor();
  assert.equal(asked, '');
  admin.removeAllListeners('dialog');
});

step('on a phone the admin tabs and the groups table fit the screen', async () => {
  const phone = await loginAs(browser, 'admin@e2e.test', PHONE);
  await phone.goto(`/projects/${state.projectId}/admin?tab=groups`);
  await phone.getByTestId('group-row').first().waitFor();
  const wide = await phone.evaluate(() =>
    document.documentElement.scrollWidth <= window.innerWidth
      ? null
      : [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.equal(wide, null, 'the page is no wider than the phone');
  // Every tab is on screen (they wrap rather than run off the edge).
  for (const link of await phone.getByRole('navigation', { name: 'Project admin sections' }).getByRole('link').all()) {
    const box = await link.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width + 1, `tab ${await link.innerText()} is on screen`);
  }
  await screenshot(phone, 'groups-04-phone');
  await phone.context().close();
});
