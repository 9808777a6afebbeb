// Single sign-on through a real OpenID Connect provider (autograder-server/tests/accounts/
// oidc_provider.py, started by scripts/test-website beside the server): the login page shows
// its button; a rostered student signs in through it; an unknown person is refused on a page
// that says why; a guest of the course's allowed domain gets in and sees the course.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, file, launch, loginAs, newPage, screenshot, SEED, steps } from './browser.mjs';

let browser;
let made = [];
const step = steps(() => browser);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Clicks the provider's button on our login page, then signs in on the provider's form. */
async function signInThroughProvider(page, email) {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Test University' }).click();
  await page.getByRole('heading', { name: 'Test University' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

step('the login page offers the provider beside the password form', async () => {
  const page = await newPage(browser, 'visitor');
  await page.goto('/login');
  const button = page.getByRole('link', { name: 'Sign in with Test University' });
  await button.waitFor();
  assert.match((await button.getAttribute('href')) ?? '', /^\/api\/auth\/oidc\/testu\/login\/\?next=%2F/);
  await page.getByLabel('Password').waitFor();
  await screenshot(page, 'sso-01-login-page');
  await page.context().close();
});

step('a rostered student signs in through the provider and sees their course', async () => {
  const page = await newPage(browser, 'carol');
  await signInThroughProvider(page, 'Carol@E2E.test');
  await page.getByRole('heading', { name: 'My courses' }).waitFor();
  await page.getByText('E2E 101').first().waitFor();
  const me = await apiFrom(page, 'GET', 'users/me/');
  assert.equal(me.status, 200);
  assert.equal(me.json.username, 'carol@e2e.test');
  await screenshot(page, 'sso-02-signed-in');
  await page.context().close();
});

step('someone on no roster is refused with a page that says why', async () => {
  expectErrors(
    /^console error: Failed to load resource: the server responded with a status of 40[13] .*\/api\/users\/me\//,
    /^console error: Failed to load resource: the server responded with a status of 403 .*\/api\/auth\/oidc\/callback\//,
  );
  const page = await newPage(browser, 'stranger');
  await signInThroughProvider(page, 'stranger@nowhere.test');
  await page.getByRole('heading', { name: 'Sign-in refused' }).waitFor();
  await page.getByText('No course here has stranger@nowhere.test on its roster').waitFor();
  await screenshot(page, 'sso-03-refused');
  const me = await apiFrom(page, 'GET', 'users/me/');
  assert.ok([401, 403].includes(me.status), `the refused visitor's own account: ${me.status}`);
  await page.getByRole('link', { name: 'Back to the login page' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.context().close();
});

step('a guest of the allowed domain gets in once the course allows guests', async () => {
  // The course admin allows guests on the course settings page.
  const admin = await loginAs(browser, 'admin@e2e.test');
  await admin.goto(`/courses/${SEED.course}/admin`);
  await admin.getByLabel('Allowed guest domain').fill('@Guests.E2E.test');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.getByRole('status').getByText('Saved.').waitFor();
  assert.equal(await admin.getByLabel('Allowed guest domain').inputValue(), 'guests.e2e.test');
  await screenshot(admin, 'sso-04-guest-domain-setting');
  const course = await apiFrom(admin, 'GET', `courses/${SEED.course}/`);
  assert.equal(course.json.allowed_guest_domain, 'guests.e2e.test');
  // Two visible projects; the admin opens one of them to guests on its settings page.
  made = [];
  for (const name of ['SSO open lab', 'SSO roster only']) {
    const created = await apiFrom(admin, 'POST', `courses/${SEED.course}/projects/`, { name, visible_to_students: true });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    made.push(created.json.id);
  }
  const pattern = { pattern: '*.py', min_num_matches: 1, max_num_matches: 1 };
  assert.equal((await apiFrom(admin, 'POST', `projects/${made[0]}/expected_files/`, pattern)).status, 201);
  await admin.goto(`/projects/${made[0]}/admin`);
  await admin.getByLabel('Guests may submit').check();
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.getByRole('status').getByText('Saved.').waitFor();
  await screenshot(admin, 'sso-05-guests-may-submit');
  await admin.context().close();

  const page = await newPage(browser, 'guest');
  await signInThroughProvider(page, 'visitor@guests.e2e.test');
  await page.getByRole('heading', { name: 'My courses' }).waitFor();
  await page.getByText('E2E 101').first().waitFor();
  const me = await apiFrom(page, 'GET', 'users/me/');
  assert.deepEqual(
    me.json.courses.map((c) => [c.name, c.roles]),
    [['E2E 101', ['guest']]],
  );
  // The guest sees the project open to guests, and not the other one.
  await page.getByRole('link', { name: 'E2E 101' }).first().click();
  await page.getByRole('link', { name: 'SSO open lab' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'SSO roster only' }).count(), 0);
  await screenshot(page, 'sso-06-guest-course-page');

  // ... works alone on it and submits, like a student.
  expectErrors(failedRequest(404, `projects/${made[0]}/my_group/`), failedRequest(404, `projects/${made[1]}/`));
  await page.getByRole('link', { name: 'SSO open lab' }).click();
  await page.getByRole('button', { name: 'I am working alone' }).click();
  await page.getByLabel('Choose files').setInputFiles([file('lab.py', 'print("hi")\n')]);
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await page.getByTestId('status-message').waitFor();
  await screenshot(page, 'sso-07-guest-submitted');
  const mine = await apiFrom(page, 'GET', `projects/${made[0]}/my_submissions/`);
  assert.equal(mine.status, 200);
  assert.equal(mine.json.results.length, 1);
  // The project closed to guests is "not found" for them.
  const closed = await apiFrom(page, 'GET', `projects/${made[1]}/`);
  assert.equal(closed.status, 404);
  await page.context().close();

  // Other tests on this course expect no guests.
  const restore = await loginAs(browser, 'admin@e2e.test');
  assert.equal((await apiFrom(restore, 'PATCH', `courses/${SEED.course}/`, { allowed_guest_domain: '' })).status, 200);
  // The open lab keeps the guest's submission (projects with submissions are not deleted): hide it.
  assert.equal((await apiFrom(restore, 'PATCH', `projects/${made[0]}/`, { visible_to_students: false })).status, 200);
  assert.equal((await apiFrom(restore, 'DELETE', `projects/${made[1]}/`)).status, 204);
  await restore.context().close();
});
