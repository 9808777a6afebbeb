// The live monitor in a real browser, against a real server and a real Celery worker grading in
// real sandbox containers: while a student's submission grades (its program holds 80 MiB and a
// file in /tmp for a while), the superuser's monitor shows its sandbox with that memory, and the
// worker with a busy slot running it; the course's admin sees the same sandbox on the course's
// Monitor tab without the nodes' images; a student gets nothing. After grading, the hour's charts.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

// Student code: holds memory (written, so it is really used) and a 4 MiB file, then answers.
const HOLDER = [
  'import time',
  'data = b"x" * (80 << 20)',
  'open("/tmp/blob", "wb").write(b"y" * (4 << 20))',
  'time.sleep(25)',
  'print("done")',
  '',
].join('\n');

let browser;
const state = {};
const step = steps(() => browser);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

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

step('a student submits a program that holds memory for a while', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  state.admin = admin;
  const created = await apiFrom(admin, 'POST', `courses/${SEED.course}/projects/`, { name: 'Monitor me', visible_to_students: true });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  state.projectId = created.json.id;
  assert.equal((await apiFrom(admin, 'POST', `projects/${state.projectId}/expected_files/`, { pattern: 'holder.py' })).status, 201);
  const suite = await apiFrom(admin, 'POST', `projects/${state.projectId}/suites/`, { name: 'Holds memory' });
  assert.equal(suite.status, 201, JSON.stringify(suite.json));
  const testCase = await apiFrom(admin, 'POST', `suites/${suite.json.id}/cases/`, { name: 'Hold' });
  assert.equal(testCase.status, 201, JSON.stringify(testCase.json));
  const command = await apiFrom(admin, 'POST', `cases/${testCase.json.id}/commands/`, {
    name: 'Run', cmd: 'python3 holder.py', time_limit_s: 60, expected_stdout_source: 'text', expected_stdout_text: 'done\n', points_for_correct_stdout: 1,
  });
  assert.equal(command.status, 201, JSON.stringify(command.json));

  const alice = await loginAs(browser, 'alice@e2e.test');
  state.alice = alice;
  const group = await apiFrom(alice, 'POST', `projects/${state.projectId}/groups/solo/`);
  assert.equal(group.status, 201, JSON.stringify(group.json));
  const sent = await upload(alice, group.json.id, { 'holder.py': HOLDER });
  assert.equal(sent.status, 201, JSON.stringify(sent.json));
  state.submissionId = sent.json.id;
});

step('the superuser sees the grading sandbox with its memory, and the worker running the job', async () => {
  const root = await loginAs(browser, 'root@e2e.test');
  state.root = root;
  await root.getByRole('link', { name: 'Monitor' }).click();
  await root.getByRole('heading', { name: 'Live monitor' }).waitFor();
  const rows = root.getByTestId('monitor-sandboxes').getByRole('row').filter({ hasText: `Submission ${state.submissionId}` });
  await rows.first().waitFor({ timeout: 90_000 });
  // The memory cell grows past 60 MiB as the program fills its 80 MiB, then the disk cell to
  // 4 MiB as it writes its file (sampled every 2 s).
  const mib = (text) => {
    const match = (text ?? '').match(/([\d.]+) (KiB|MiB|GiB)/);
    return match ? Number(match[1]) * { KiB: 1 / 1024, MiB: 1, GiB: 1024 }[match[2]] : 0;
  };
  const deadline = Date.now() + 60_000;
  let cells = [];
  while (Date.now() < deadline && !(mib(cells[3]) > 60 && mib(cells[4]) >= 3.9)) {
    for (const row of await rows.all()) {
      const found = await row.getByRole('cell').allTextContents();
      if (mib(found[3]) > mib(cells[3]) || mib(found[4]) > mib(cells[4])) cells = found;
    }
    await root.waitForTimeout(500);
  }
  assert.ok(mib(cells[3]) > 60, `the sandbox's memory is shown (${cells[3]})`);
  assert.ok(mib(cells[4]) >= 3.9, `the file in its tmpfs is shown as disk (${cells[4]})`);
  assert.match(cells[1], /Monitor me · E2E 101/);
  assert.match(cells[5], /ag-sandbox-default/);

  const worker = root.getByTestId('monitor-workers').getByRole('row').filter({ hasText: /e2e-\d+@/ });
  await worker.filter({ hasText: `grade of submission ${state.submissionId}` }).waitFor({ timeout: 20_000 });
  const workerCells = await worker.getByRole('cell').allTextContents();
  assert.match(workerCells[1], /healthy/);
  assert.match(workerCells[3], /^1 \/ 1$/);
  const queues = await root.getByTestId('monitor-queues').textContent();
  assert.match(queues, /fast|grader/);
  await root.getByText(/Images per node/).waitFor();
  await root.getByText(/ag-sandbox-default:latest/).first().waitFor();
  await screenshot(root, 'monitor-01-site-while-grading');
});

step("the course's admin sees the same sandbox on the course's Monitor tab, no node images", async () => {
  const admin = state.admin;
  await admin.goto(`/courses/${SEED.course}/admin`);
  await admin.getByRole('link', { name: 'Monitor' }).click();
  const row = admin.getByTestId('monitor-sandboxes').getByRole('row').filter({ hasText: `Submission ${state.submissionId}` });
  await row.first().waitFor({ timeout: 20_000 });
  assert.equal(await admin.getByText(/Images per node/).count(), 0);
  await admin.getByRole('heading', { name: /Queues \(this course/ }).waitFor();
  await screenshot(admin, 'monitor-02-course-tab');
});

step('a student may not see the monitor', async () => {
  expectErrors(failedRequest(403, `courses/${SEED.course}/monitor/`), failedRequest(403, 'monitor/'));
  const course = await apiFrom(state.alice, 'GET', `courses/${SEED.course}/monitor/`);
  assert.equal(course.status, 403);
  const site = await apiFrom(state.alice, 'GET', 'monitor/');
  assert.equal(site.status, 403);
  await state.alice.goto('/monitor');
  await state.alice.getByText('Only superusers see the whole site').waitFor();
});

step('after grading, the sandbox is gone and the hour shows in charts', async () => {
  const root = state.root;
  const deadline = Date.now() + 90_000;
  let status = '';
  while (Date.now() < deadline && status !== 'finished_grading') {
    status = (await apiFrom(state.alice, 'GET', `submissions/${state.submissionId}/`)).json.status;
    await root.waitForTimeout(500);
  }
  assert.equal(status, 'finished_grading');
  await root.waitForFunction(
    (id) => ![...document.querySelectorAll('[data-testid="monitor-sandboxes"] tr')].some((tr) => tr.textContent.includes(`Submission ${id}`)),
    state.submissionId,
    { timeout: 20_000 },
  );
  await root.getByTestId('chart-Memory and disk of sandboxes').waitFor();
  await root.getByTestId('chart-Jobs waiting per queue').waitFor();
  await root.getByRole('heading', { name: 'The last hour' }).scrollIntoViewIfNeeded();
  await screenshot(root, 'monitor-03-site-charts');
});
