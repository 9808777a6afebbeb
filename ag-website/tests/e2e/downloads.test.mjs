// Staff's bulk downloads and project statistics in a real browser, against a real server and
// a real Celery worker (the `small` queue builds the zip): a graded project is seeded
// (seed_downloads.py); the admin starts a final-graded zip, watches its progress reach 100 %,
// downloads it and the zip holds one folder per group named by its members with the final
// graded files; the statistics page draws its charts from the server's numbers; a student
// may not list downloads. Staff delete a download and its file goes with it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');
const PYTHON = process.env.E2E_PYTHON ?? join(REPO, '.venv/bin/python');
const BUILD_TIMEOUT = 60_000;

let browser;
const state = {};
const step = steps(() => browser);

/** Runs Python with `args` and returns the last line it printed, parsed as JSON. */
function python(args, options = {}) {
  const out = execFileSync(PYTHON, args, { encoding: 'utf-8', ...options });
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** Every file of the zip at `path`: name → text. */
const zipContents = (path) =>
  python([
    '-c',
    'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode() for n in z.namelist()}))',
    path,
  ]);

before(async () => {
  browser = await launch();
  // `manage.py shell` reads the script from standard input.
  const seeded = python([join(REPO, 'manage.py'), 'shell'], {
    input: readFileSync(join(HERE, 'seed_downloads.py'), 'utf-8'),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, DOWNLOADS_COURSE: String(SEED.course) },
  });
  state.projectId = seeded.project;
});

after(async () => {
  await browser?.close();
});

step('staff start a final graded zip, watch it reach 100 % and download it', async () => {
  const page = await loginAs(browser, 'admin@e2e.test');
  state.admin = page;
  await page.goto(`/projects/${state.projectId}/admin?tab=downloads`);
  await page.getByRole('heading', { name: 'Download grades and files' }).waitFor();
  await page.getByText('No downloads yet.').waitFor();
  await page.getByLabel('What to download').selectOption('final_files');
  await page.getByRole('button', { name: 'Start download' }).click();

  const row = page.getByTestId('download').first();
  await row.getByText('Final graded submissions (zip)').waitFor();
  const progress = row.getByRole('progressbar');
  await row.getByRole('link', { name: /^Download .*\.zip$/ }).waitFor({ timeout: BUILD_TIMEOUT });
  assert.equal(await progress.getAttribute('value'), '100');
  assert.match(await row.innerText(), /100%/);
  await screenshot(page, 'downloads-01-final-zip-done');

  const dir = mkdtempSync(join(tmpdir(), 'ag-e2e-download-'));
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /^Download / }).click()]);
  assert.match(download.suggestedFilename(), /^downloads-demo-final-files-\d{8}-\d{4}\.zip$/);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  assert.deepEqual(zipContents(path), {
    'alice@e2e.test_bob@e2e.test/main.py': "print('hello')\n",
    'alice@e2e.test_bob@e2e.test/notes.txt': 'done\n',
    'carol@e2e.test/main.py': "print('carol')\n",
  });
});

step('staff download all scores as CSV, each submission a row', async () => {
  const page = state.admin;
  await page.getByLabel('What to download').selectOption('all_scores');
  await page.getByLabel('Include staff').check();
  await page.getByRole('button', { name: 'Start download' }).click();
  const row = page.getByTestId('download').filter({ hasText: 'All scores (CSV)' });
  await row.getByText(', with staff').waitFor();
  const link = row.getByRole('link', { name: /^Download .*\.csv$/ });
  await link.waitFor({ timeout: BUILD_TIMEOUT });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = join(mkdtempSync(join(tmpdir(), 'ag-e2e-download-')), download.suggestedFilename());
  await download.saveAs(path);
  const lines = readFileSync(path, 'utf-8').trim().split(/\r?\n/);
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[0], /^group_id,usernames,submission_id,timestamp,status,late,total_points,points_possible,Public/);
  assert.equal(lines.filter((l) => l.includes('alice@e2e.test; bob@e2e.test')).length, 2);
  await screenshot(page, 'downloads-02-two-downloads');
});

step('staff delete a download they no longer need; its file is gone', async () => {
  const page = state.admin;
  const row = page.getByTestId('download').filter({ hasText: 'All scores (CSV)' });
  const href = await row.getByRole('link', { name: /^Download .*\.csv$/ }).getAttribute('href');
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    return dialog.accept();
  });
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
  assert.match(asked, /^Delete .*all-scores.*\.csv\?$/);
  assert.equal(await page.getByTestId('download').count(), 1, 'the final graded zip stays');
  const gone = await page.request.get(href);
  assert.equal(gone.status(), 404);
});

step('the statistics page draws its charts from the server', async () => {
  const page = state.admin;
  await page.getByRole('link', { name: 'Stats' }).click();
  await page.getByRole('heading', { name: 'Statistics' }).waitFor();
  const summary = page.getByTestId('stats-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /2 groups, 2 with a final graded submission; 3 submissions\./);
  for (const title of ['Final graded scores', 'Tests passed, most failed first', 'First versus final graded score', 'Submissions per day']) {
    const figure = page.getByTestId(`chart-${title}`);
    await figure.locator('canvas').waitFor();
    const box = await figure.locator('canvas').boundingBox();
    assert.ok(box && box.width > 200 && box.height > 100, `${title}: the chart has a size`);
  }
  // Chart.js drew something: the canvas is not blank.
  const painted = await page
    .getByTestId('chart-Final graded scores')
    .locator('canvas')
    .evaluate((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked += 1;
      return inked;
    });
  assert.ok(painted > 1000, `the final score chart is drawn (${painted} pixels)`);
  // `hard` failed in carol's final submission: it comes first, at 50 %.
  const tests = page.getByTestId('chart-Tests passed, most failed first');
  await tests.getByText('Show as a table').click();
  const firstRow = tests.getByRole('row').nth(1);
  assert.deepEqual(
    (await firstRow.getByRole('cell').allInnerTexts()).map((t) => t.trim()),
    ['Public: hard', '1', '2', '50 %'],
  );
  await screenshot(page, 'downloads-03-statistics');
});

step('a student may not list or start downloads', async () => {
  const page = await loginAs(browser, 'carol@e2e.test');
  expectErrors(failedRequest('40[34]', `projects/${state.projectId}/exports/`));
  const listed = await apiFrom(page, 'GET', `projects/${state.projectId}/exports/`);
  const started = await apiFrom(page, 'POST', `projects/${state.projectId}/exports/`, { kind: 'final_files' });
  assert.ok([403, 404].includes(listed.status), `list: ${listed.status}`);
  assert.ok([403, 404].includes(started.status), `start: ${started.status}`);
  await page.context().close();
});
