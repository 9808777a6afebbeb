// Project webhooks in a real browser, against a real server, a real Celery worker and real
// sandboxes: staff register a receiver (a real HTTP server on 127.0.0.1 started here) on the
// project admin page, see the signing secret once, send a test delivery and see it delivered
// in the delivery log; then a student's submission is graded and its "grading finished"
// delivery reaches the receiver, signed with that secret, and shows in the log.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');
const PYTHON = process.env.E2E_PYTHON ?? join(REPO, '.venv/bin/python');
const GRADING_TIMEOUT = 180_000;

let browser;
let server;
const received = [];
const state = {};
const step = steps(() => browser);

function seed(env) {
  const out = execFileSync(PYTHON, [join(REPO, 'manage.py'), 'shell'], {
    encoding: 'utf-8',
    input: readFileSync(join(HERE, 'seed_contracts.py'), 'utf-8'),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

function signatureOk(secret, header, body) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')));
  const mac = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return parts.v1 === mac;
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
  state.url = `http://127.0.0.1:${server.address().port}/autograder-hook`;
  state.projectId = seed({ CONTRACTS_COURSE: String(SEED.course) }).project;
});

after(async () => {
  await browser?.close();
  server?.close();
});

step('staff register a webhook, see its secret once and a test delivery delivered', async () => {
  const page = await loginAs(browser, 'admin@e2e.test');
  await page.goto(`/projects/${state.projectId}/admin?tab=webhooks`);
  await page.getByRole('heading', { name: 'Webhooks', exact: true, level: 2 }).waitFor();
  await page.getByLabel('Receiver URL').fill(state.url);
  await page.getByLabel('Final graded submission changed').check();
  await page.getByRole('button', { name: 'Register webhook' }).click();
  const secret = page.getByTestId('webhook-secret');
  await secret.waitFor();
  state.secret = (await secret.textContent()).trim();
  assert.match(state.secret, /^[0-9a-f]{64}$/);
  const hook = page.getByTestId('webhook');
  assert.match(await hook.textContent(), /Grading finished, Final graded submission changed/);

  await hook.getByRole('button', { name: 'Send test delivery' }).click();
  const delivered = page.getByTestId('delivery').filter({ hasText: 'Test delivery' }).filter({ hasText: 'delivered' });
  await delivered.waitFor({ timeout: 30_000 });
  assert.match(await delivered.textContent(), /200/);
  const ping = received.find((r) => r.headers['x-autograder-event'] === 'ping');
  assert.ok(ping, 'the receiver got the test delivery');
  assert.ok(signatureOk(state.secret, ping.headers['x-autograder-signature'], ping.body));
  state.page = page;
});

step("a graded submission's events reach the receiver and the delivery log", async () => {
  const page = state.page;
  const submittedAt = Date.now();
  const { submission } = seed({ CONTRACTS_SUBMIT_PROJECT: String(state.projectId) });
  const finished = page.getByTestId('delivery').filter({ hasText: 'Grading finished' }).filter({ hasText: 'delivered' });
  const deadline = Date.now() + GRADING_TIMEOUT;
  while (!(await finished.count())) {
    assert.ok(Date.now() < deadline, 'no grading finished delivery in time');
    await page.waitForTimeout(1000);
    await page.getByRole('button', { name: 'Refresh' }).click();
  }
  await page.getByTestId('delivery').filter({ hasText: 'Final graded submission changed' }).first().waitFor();
  const event = received.find((r) => r.headers['x-autograder-event'] === 'grading_finished');
  assert.ok(event);
  const body = JSON.parse(event.body);
  assert.equal(body.submission_id, submission);
  assert.equal(body.points_awarded, 1);
  assert.equal(body.points_possible, 1);
  assert.ok(signatureOk(state.secret, event.headers['x-autograder-signature'], event.body));
  // A measurement for the report, not a check: from the upload to the signed callback.
  console.log(JSON.stringify({ submission_to_grading_finished_webhook_ms: event.at - submittedAt }));
  await screenshot(page, 'contracts-webhooks-delivery-log');
});
