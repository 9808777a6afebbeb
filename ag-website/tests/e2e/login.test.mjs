// Logging in with a wrong password: the page says so, and the visitor stays logged out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiFrom, expectErrors, failedRequest, launch, newPage, PASSWORD, screenshot } from './browser.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('a wrong password shows a message and leaves the visitor logged out', async () => {
  // The refused login answers 400, and a logged-out visitor's own-account lookup 401 or 403.
  expectErrors(failedRequest(400, 'auth/login/'), failedRequest('40[13]', 'users/me/'));
  const page = await newPage(browser, 'visitor');
  await page.goto('/login');
  await page.getByLabel('Username or email').fill('alice@e2e.test');
  await page.getByLabel('Password').fill(`${PASSWORD}-wrong`);
  await page.getByRole('button', { name: 'Log in' }).click();

  await page.getByRole('alert').getByText('Wrong username or password.').waitFor();
  await screenshot(page, '00-login-wrong-password');
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'My courses' }).count(), 0);

  // The server agrees: no session, and the course list sends the visitor back to log in.
  const me = await apiFrom(page, 'GET', 'users/me/');
  assert.ok([401, 403].includes(me.status), `a logged-out visitor's own account: ${me.status}`);
  await page.goto('/');
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.context().close();
});
