// The runner API in a real browser, against a real server, a real Celery worker and real
// sandboxes: a course admin creates a machine key on the course admin page (key and signing
// secret shown once), another system (this test, with fetch) sends a work with a `param` and a
// callback URL (a real HTTP server on 127.0.0.1 started here), the graded result reaches the
// receiver signed with the key's secret, staff see the delivery on the project's Runner API
// tab, and once the admin revokes the key the runner API refuses it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { BASE_URL, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');
const PYTHON = process.env.E2E_PYTHON ?? join(REPO, '.venv/bin/python');
const GRADING_TIMEOUT = 180_000;
const WORK = "import os\nprint('hello', os.environ['GREETING'])\n";

let browser;
let server;
const received = [];
const state = {};
const step = steps(() => browser);

function seed() {
  const out = execFileSync(PYTHON, [join(REPO, 'manage.py'), 'shell'], {
    encoding: 'utf-8',
    input: readFileSync(join(HERE, 'seed_runner.py'), 'utf-8'),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, RUNNER_COURSE: String(SEED.course) },
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

function signatureOk(secret, header, body) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')));
  const mac = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return parts.v1 === mac;
}

/** What a correctomatic client sends: multipart, the key as a bearer token. */
async function sendWork(key, fields) {
  const form = new FormData();
  form.append('file', new Blob([WORK], { type: 'text/x-python' }), 'work.py');
  for (const [name, value] of Object.entries(fields)) {
    for (const one of [value].flat()) form.append(name, one);
  }
  const response = await fetch(`${BASE_URL}/api/runner/grade/`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}` },
    body: form,
  });
  return { status: response.status, json: await response.json() };
}

before(async () => {
  browser = await launch();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  state.callback = `http://127.0.0.1:${server.address().port}/grades`;
  state.projectId = seed().project;
});

after(async () => {
  await browser?.close();
  server?.close();
});

step('a course admin creates a machine key and sees it once', async () => {
  const page = await loginAs(browser, 'admin@e2e.test');
  await page.goto(`/courses/${SEED.course}/admin?tab=machine-keys`);
  await page.getByRole('heading', { name: 'Machine keys', exact: true, level: 2 }).waitFor();
  await page.getByLabel('Name').fill('correctomatic e2e');
  await page.getByLabel('Runner demo').check();
  await page.getByLabel('Comments in callbacks show').selectOption('staff_viewer');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = page.getByTestId('machine-key-secret');
  await secret.waitFor();
  state.key = (await secret.textContent()).trim();
  state.signingSecret = (await page.getByTestId('machine-key-signing-secret').textContent()).trim();
  assert.match(state.signingSecret, /^[0-9a-f]{64}$/);
  const row = page.getByTestId('machine-key').filter({ hasText: 'correctomatic e2e' });
  assert.match(await row.textContent(), new RegExp(`${state.key.slice(0, 8)}…`));
  assert.match(await row.textContent(), /Runner demo/);
  assert.equal((await row.getByTestId('machine-key-last-used').textContent()).trim(), 'never');
  await screenshot(page, 'runner-machine-key-created');
  await page.reload();
  await page.getByTestId('machine-key').first().waitFor();
  assert.equal(await page.getByTestId('machine-key-secret').count(), 0, 'the key is shown only once');
  state.page = page;
});

step('a work sent with the key is graded and its result called back, signed', async () => {
  const refused = await sendWork(state.key, { work_id: 'bad', assignment: String(state.projectId), param: 'PATH=/tmp', callback: state.callback });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.success, false);
  assert.match(refused.json.message, /^param: PATH belongs to the sandbox's own environment/);

  const sentAt = Date.now();
  const accepted = await sendWork(state.key, {
    work_id: 'e2e-1',
    assignment: String(state.projectId),
    param: ['GREETING=bonjour', 'LEVEL=2'],
    callback: state.callback,
  });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
  assert.equal(accepted.json.success, true);
  const deadline = Date.now() + GRADING_TIMEOUT;
  while (!received.length) {
    assert.ok(Date.now() < deadline, 'no callback in time');
    await new Promise((done) => setTimeout(done, 200));
  }
  const [callback] = received;
  assert.equal(callback.headers['x-autograder-event'], 'runner_result');
  assert.ok(signatureOk(state.signingSecret, callback.headers['x-autograder-signature'], callback.body));
  const body = JSON.parse(callback.body);
  assert.deepEqual(body, { success: true, work_id: 'e2e-1', grade: 10, comments: ['Greeting: 2/2', 'Greeting / greets: 2/2'] });
  // A measurement for the report, not a check: from the runner API request to its callback.
  console.log(JSON.stringify({ runner_request_to_callback_ms: callback.at - sentAt }));
});

step("staff see the work's delivery on the project's Runner API tab", async () => {
  const page = state.page;
  await page.goto(`/projects/${state.projectId}/admin?tab=runner`);
  await page.getByRole('heading', { name: 'Runner API callbacks', level: 2 }).waitFor();
  const row = page.getByTestId('runner-work').filter({ hasText: 'e2e-1' });
  await row.filter({ hasText: 'delivered' }).waitFor({ timeout: 30_000 });
  const text = await row.textContent();
  assert.match(text, /correctomatic e2e/);
  assert.match(text, /grade 10/);
  assert.match(text, /finished grading/);
  assert.match(text, /200/);
  await screenshot(page, 'runner-works-delivery-log');
});

step('the admin revokes the key, and the runner API refuses it', async () => {
  const page = state.page;
  await page.goto(`/courses/${SEED.course}/admin?tab=machine-keys`);
  const row = page.getByTestId('machine-key').filter({ hasText: 'correctomatic e2e' });
  await row.waitFor();
  assert.notEqual((await row.getByTestId('machine-key-last-used').textContent()).trim(), 'never');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.filter({ hasText: 'revoked' }).waitFor();
  assert.equal(await row.getByRole('button', { name: 'Revoke' }).count(), 0);
  const refused = await sendWork(state.key, { work_id: 'late', assignment: String(state.projectId), callback: state.callback });
  assert.equal(refused.status, 401);
  assert.equal(refused.json.success, false);
  await screenshot(page, 'runner-machine-key-revoked');
});
