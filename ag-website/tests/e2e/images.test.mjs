// Sandbox images in a real browser, against a real server and a real Celery worker on the
// `images` queue (a real `docker build`): an admin opens the Dockerfile editor, starts from the
// Python template, builds, watches the live log reach "ready", and chooses the image for a
// suite; a student may not list the course's images. The built image is removed afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const BUILD_TIMEOUT = 300_000;

let browser;
const state = {};
const step = steps(() => browser);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (state.tag) execFileSync('docker', ['image', 'rm', '--force', state.tag], { stdio: 'ignore' });
});

step('an admin starts from the Python template, builds it and watches the log reach ready', async () => {
  const page = await loginAs(browser, 'admin@e2e.test');
  state.admin = page;
  await page.goto(`/courses/${SEED.course}/admin?tab=images`);
  await page.getByRole('heading', { name: 'Sandbox images' }).waitFor();
  // The site's default image is listed (seeded on first use).
  await page.getByRole('cell', { name: /ag-sandbox-default:latest/ }).first().waitFor();

  await page.getByRole('button', { name: 'Python' }).click();
  await page.getByRole('heading', { name: 'Dockerfile editor' }).waitFor();
  await page.getByLabel('Name').fill('img-e2e Python');
  // The common parts write the Dockerfile: keep the build small (one package).
  await page.getByLabel('Debian packages').fill('python3-pytest');
  await page.getByLabel('Environment').fill('PYTHONDONTWRITEBYTECODE=1');
  await page.getByRole('button', { name: 'Write the Dockerfile from these' }).click();
  const editor = page.getByTestId('dockerfile-editor');
  await editor.getByText('python3-pytest').first().waitFor();
  await editor.getByText('ENV').first().waitFor();
  // Highlighted by the Dockerfile mode: FROM is a keyword token.
  assert.ok(await editor.locator('.cm-line span').count() > 0, 'the Dockerfile is highlighted');
  await page.getByText('Preview').click();
  const preview = await page.getByTestId('dockerfile-preview').textContent();
  assert.match(preview, /^FROM ag-sandbox-default:latest\n/);
  assert.match(preview, /apt-get install -y --no-install-recommends python3-pytest/);
  await screenshot(page, 'images-01-editor');

  await page.getByRole('button', { name: 'Save and build' }).click();
  await page.getByTestId('build-log').getByText(/Step 1\/\d+ : FROM ag-sandbox-default:latest/).waitFor({ timeout: 60_000 });
  await screenshot(page, 'images-02-live-log');
  await page.getByTestId('build-status').getByText('ready').waitFor({ timeout: BUILD_TIMEOUT });
  await page.getByTestId('build-log').getByText(/The image is ready/).waitFor();
  await screenshot(page, 'images-03-ready');

  const images = await apiFrom(page, 'GET', `courses/${SEED.course}/sandbox_images/`);
  const built = images.json.find((image) => image.display_name === 'img-e2e Python');
  assert.equal(built.status, 'ready');
  assert.ok(built.usable);
  state.tag = built.tag;
  state.reference = built.reference;
  // The image really has what the form asked for.
  const pytest = execFileSync('docker', ['run', '--rm', '--network', 'none', built.tag, 'python3', '-c', 'import pytest; print(pytest.__version__)'], {
    encoding: 'utf-8',
  });
  assert.match(pytest, /^\d+\./);
});

step('the admin chooses the built image for a suite', async () => {
  const page = state.admin;
  const project = await apiFrom(page, 'POST', `courses/${SEED.course}/projects/`, { name: 'img-e2e images' });
  assert.equal(project.status, 201, JSON.stringify(project.json));
  await page.goto(`/projects/${project.json.id}/admin`);
  await page.getByRole('link', { name: 'Test cases' }).click();
  await page.getByLabel('New suite name').fill('On my image');
  await page.getByRole('button', { name: 'Add suite' }).click();
  await page.getByRole('heading', { name: 'Suite: On my image' }).waitFor();
  await page.getByLabel('Sandbox image').selectOption({ label: 'img-e2e Python' });
  await page.getByRole('button', { name: 'Save suite' }).click();
  await page.getByText('Suite saved.').waitFor();
  const suites = await apiFrom(page, 'GET', `projects/${project.json.id}/suites/`);
  assert.equal(suites.json[0].sandbox_image, state.reference);
  await screenshot(page, 'images-04-suite');
});

step("a student may not list the course's images", async () => {
  expectErrors(failedRequest(403, `courses/${SEED.course}/sandbox_images/`));
  const page = await loginAs(browser, 'alice@e2e.test');
  const listed = await apiFrom(page, 'GET', `courses/${SEED.course}/sandbox_images/`);
  assert.equal(listed.status, 403);
});
