// Accounts in the browser: an API token shown once, and an invitation and a password reset
// followed from the email itself (the server writes mail as files under E2E_MAIL_DIR, and the
// Celery worker sends it, as in production).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { apiFrom, BASE_URL, expectErrors, failedRequest, launch, loginAs, newPage, screenshot, SEED, steps } from './browser.mjs';

const MAIL_DIR = process.env.E2E_MAIL_DIR ?? '';
let browser;
const step = steps(() => browser);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Every message written so far, as raw text. */
function messages() {
  if (!MAIL_DIR || !existsSync(MAIL_DIR)) return [];
  return readdirSync(MAIL_DIR)
    .sort()
    .flatMap((name) => readFileSync(join(MAIL_DIR, name), 'utf8').split(/^-{79}$/m))
    .filter((m) => m.trim());
}

/** Waits for the first message to `to` whose text contains `subject`, and returns it. */
async function mailed(to, subject) {
  for (let i = 0; i < 240; i += 1) {
    const found = messages().find((m) => m.includes(`To: ${to}`) && m.includes(subject));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.fail(`no message to ${to} about "${subject}" arrived in ${MAIL_DIR}`);
}

/** The set-password link path in the first message to `to` about `subject`. */
async function mailedLink(to, subject) {
  const message = await mailed(to, subject);
  const link = message.match(/https?:\/\/\S+?(\/set-password\/[^/\s]+\/[^/\s]+)/);
  assert.ok(link, `no set-password link in:\n${message}`);
  return link[1];
}

const tokenPage = { page: null, key: '' };

step('a token is created on the token page and its key is shown once', async () => {
  const page = await loginAs(browser, 'alice@e2e.test');
  tokenPage.page = page;
  await page.getByRole('link', { name: 'API tokens' }).click();
  await page.getByRole('heading', { name: 'API tokens' }).waitFor();
  await page.getByLabel('Name').fill('grade export');
  await page.getByLabel('Expires after').selectOption({ label: '30 days' });
  await page.getByRole('button', { name: 'Create token' }).click();
  const key = (await page.getByTestId('token-key').innerText()).trim();
  assert.match(key, /^[\w-]{40,}$/);
  tokenPage.key = key;
  await page.getByRole('cell', { name: 'Expires in 30 days' }).waitFor();
  await page.getByRole('cell', { name: 'Never used' }).waitFor();
  await screenshot(page, '40-api-token-created');

  // The key works for a script.
  const me = await fetch(`${BASE_URL}/api/users/me/`, { headers: { Authorization: `Token ${key}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).username, 'alice@e2e.test');

  // Shown once: after a reload the key is nowhere on the page, and the list says it was used.
  await page.reload();
  await page.getByRole('cell', { name: 'grade export' }).waitFor();
  await page.getByRole('cell', { name: /^Last used/ }).waitFor();
  assert.equal(await page.getByTestId('token-key').count(), 0);
  assert.ok(!(await page.content()).includes(key), 'the key is still in the page');
  await screenshot(page, '41-api-token-list');
});

step('revoking the token stops it at once', async () => {
  const page = tokenPage.page;
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByText('You have no API tokens.').waitFor();
  const me = await fetch(`${BASE_URL}/api/users/me/`, { headers: { Authorization: `Token ${tokenPage.key}` } });
  assert.equal(me.status, 401);
  await page.context().close();
});

step('someone added to a roster without a password sets one from the invitation email', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  const added = await apiFrom(admin, 'POST', `courses/${SEED.course}/roster/student/`, { text: 'Dora Explorer <dora@e2e.test>' });
  assert.equal(added.status, 200, JSON.stringify(added.json));
  await admin.context().close();

  const path = await mailedLink('dora@e2e.test', 'You were added to E2E 101');
  const page = await newPage(browser, 'dora');
  await page.goto(path);
  await page.getByTestId('link-username').getByText('dora@e2e.test').waitFor();
  await page.getByLabel('New password').fill('dora-first-passphrase-1');
  await page.getByLabel('The same password again').fill('dora-first-passphrase-1');
  await screenshot(page, '42-invitation-set-password');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByText('Your password is set.').waitFor();
  await page.getByRole('link', { name: 'Log in' }).click();
  await page.getByLabel('Username or email').fill('dora@e2e.test');
  await page.getByLabel('Password').fill('dora-first-passphrase-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'E2E 101' }).waitFor();
  await page.context().close();
});

step('forgot password: the emailed link sets a new password once, and is refused the second time', async () => {
  const page = await newPage(browser, 'dora');
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email address').fill('dora@e2e.test');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.getByRole('status').getByText('If an account has this address').waitFor();
  await screenshot(page, '43-forgot-password-sent');

  const path = await mailedLink('dora@e2e.test', 'Reset your autograder password');
  await page.goto(path);
  await page.getByLabel('New password').fill('dora-second-passphrase-2');
  await page.getByLabel('The same password again').fill('dora-second-passphrase-2');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByText('Your password is set.').waitFor();

  const login = await apiFrom(page, 'POST', 'auth/login/', { username: 'dora@e2e.test', password: 'dora-second-passphrase-2' });
  assert.equal(login.status, 200);

  expectErrors(failedRequest(400, 'auth/password/check/'));
  const again = await newPage(browser, 'dora-again');
  await again.goto(path);
  await again.getByRole('alert').getByText('This link has expired or was already used').waitFor();
  await again.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  await screenshot(again, '44-reset-link-used');
  await again.context().close();
  await page.context().close();
});

step('a user turns grading-finished email off on the notifications page', async () => {
  const page = await loginAs(browser, 'alice@e2e.test');
  await page.getByRole('link', { name: 'Email' }).click();
  const box = page.getByLabel('Email me when a submission of mine has finished grading');
  await box.waitFor();
  assert.equal(await box.isChecked(), true);
  await box.uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  await screenshot(page, '45-notification-settings');
  const stored = await apiFrom(page, 'GET', 'users/me/notifications/');
  assert.deepEqual(stored.json, { grading_finished: false });
  await page.reload();
  await box.waitFor();
  assert.equal(await box.isChecked(), false);
  await page.context().close();
});

step('a superuser lets a user create courses, and that user creates one', async () => {
  const root = await loginAs(browser, 'root@e2e.test');
  await root.getByRole('link', { name: 'Users' }).click();
  await root.getByLabel('Find users').fill('dora');
  await root.getByRole('button', { name: 'Search' }).click();
  await root.getByRole('cell', { name: 'dora@e2e.test — Dora Explorer' }).waitFor();
  await root.getByLabel('dora@e2e.test may create courses').check();
  await root.getByRole('status').getByText('dora@e2e.test: may now create courses.').waitFor();
  await screenshot(root, '46-users-page');

  const dora = await newPage(browser, 'dora');
  await dora.goto('/login');
  await dora.getByLabel('Username or email').fill('dora@e2e.test');
  await dora.getByLabel('Password').fill('dora-second-passphrase-2');
  await dora.getByRole('button', { name: 'Log in' }).click();
  await dora.getByRole('link', { name: 'New course' }).click();
  await dora.getByLabel('Name').fill('E2E 202');
  await screenshot(dora, '47-new-course');
  await dora.getByRole('button', { name: 'Create course' }).click();
  await dora.getByRole('heading', { name: 'Course admin: E2E 202' }).waitFor();
  await dora.context().close();

  // Deactivated, dora cannot log in; reactivated, she can again.
  await root.getByRole('button', { name: 'Deactivate' }).click();
  await root.getByRole('status').getByText('dora@e2e.test: deactivated.').waitFor();
  await root.getByRole('cell', { name: 'Deactivated' }).waitFor();
  expectErrors(failedRequest(400, 'auth/login/'));
  const visitor = await newPage(browser, 'visitor');
  await visitor.goto('/login');
  await apiFrom(visitor, 'GET', 'auth/csrf/');
  const login = await apiFrom(visitor, 'POST', 'auth/login/', { username: 'dora@e2e.test', password: 'dora-second-passphrase-2' });
  assert.equal(login.status, 400);
  await root.getByRole('button', { name: 'Reactivate' }).click();
  await root.getByRole('status').getByText('dora@e2e.test: reactivated.').waitFor();
  const again = await apiFrom(visitor, 'POST', 'auth/login/', { username: 'dora@e2e.test', password: 'dora-second-passphrase-2' });
  assert.equal(again.status, 200);
  await visitor.context().close();
  await root.context().close();
});

step('a submission gets a receipt and a grading-finished email, and staff check the receipt code', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  const project = await apiFrom(admin, 'POST', `courses/${SEED.course}/projects/`, { name: 'Receipts demo', visible_to_students: true });
  assert.equal(project.status, 201, JSON.stringify(project.json));
  const pattern = await apiFrom(admin, 'POST', `projects/${project.json.id}/expected_files/`, { pattern: '*.py', min_num_matches: 1, max_num_matches: 5 });
  assert.equal(pattern.status, 201, JSON.stringify(pattern.json));

  const bob = await loginAs(browser, 'bob@e2e.test');
  const group = await apiFrom(bob, 'POST', `projects/${project.json.id}/groups/solo/`);
  assert.ok([200, 201].includes(group.status), JSON.stringify(group.json));
  const content = 'print("hello")\n';
  const uploaded = await bob.evaluate(
    async ({ groupId, content }) => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='))?.split('=')[1] ?? '';
      const form = new FormData();
      form.append('files', new File([content], 'hello.py'));
      const response = await fetch(`/api/groups/${groupId}/submissions/`, { method: 'POST', headers: { 'X-CSRFToken': csrf }, body: form });
      return { status: response.status, json: await response.json() };
    },
    { groupId: group.json.id, content },
  );
  assert.equal(uploaded.status, 201, JSON.stringify(uploaded.json));
  await bob.context().close();

  const receipt = await mailed('bob@e2e.test', 'Subject: Receipt ');
  const sha = createHash('sha256').update(content).digest('hex');
  assert.ok(receipt.includes(`hello.py  ${content.length} bytes  sha256 ${sha}`), receipt);
  const code = receipt.match(/Receipt code: ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})/)[1];
  const graded = await mailed('bob@e2e.test', 'Subject: Graded: Receipts demo');
  assert.ok(graded.includes(`/submissions/${uploaded.json.id}`), graded);

  await admin.goto(`/courses/${SEED.course}/admin?tab=receipts`);
  await admin.getByLabel('Receipt code').fill(code.replaceAll('-', ' ').toLowerCase());
  await admin.getByRole('button', { name: 'Check' }).click();
  await admin.getByTestId('receipt').getByText('The stored files still match it.').waitFor();
  await admin.getByRole('cell', { name: sha }).waitFor();
  await screenshot(admin, '48-receipt-checked');
  await admin.context().close();
});
