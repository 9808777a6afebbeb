// An LMS launch in a real browser: a real LTI 1.3 platform (tests/integrations/lti/platform.py,
// started here as a process, with its own keys) launches the tool. A superuser registers the
// platform on the LMS registrations page; the instructor's first launch links a new course;
// a learner's launch lands in it as a student; the instructor syncs the roster and sends grades
// from the course admin page; a graded submission's score reaches the LMS gradebook; a forged
// launch is refused with a page that says why.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { apiFrom, BASE_URL, expectErrors, failedRequest, launch, loginAs, newPage, PASSWORD, screenshot, steps } from './browser.mjs';

const ROOT = 'lti-root@e2e.test';
const COURSE = 'EECS 101 from the LMS';
let browser;
let platform;
let lms;
const step = steps(() => browser);

/** Runs Python in the server's environment (the same database), returning its last line. */
function django(code) {
  const run = spawnSync('../.venv/bin/python', ['../manage.py', 'shell', '-c', code], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim().split('\n').at(-1);
}

async function lmsUser(key, email, role, name) {
  const answer = await fetch(`${lms.url}/users`, {
    method: 'POST',
    body: JSON.stringify({ key, email, name, role: `http://purl.imsglobal.org/vocab/lis/v2/membership#${role}` }),
  });
  assert.equal(answer.status, 201);
}

/** A person clicks the tool's link in the LMS: the platform starts the login at the tool. */
async function launchAs(key) {
  const page = await newPage(browser, `lms:${key}`);
  const login = `${BASE_URL}/api/lti/login/`;
  await page.goto(`${lms.url}/launch?user=${key}&login_url=${encodeURIComponent(login)}`);
  return page;
}

before(async () => {
  browser = await launch();
  platform = spawn('../.venv/bin/python', ['-m', 'tests.integrations.lti.platform', '--tool-url', BASE_URL], {
    cwd: '../autograder-server',
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = await once(createInterface({ input: platform.stdout }), 'line');
  lms = JSON.parse(line);
  await lmsUser('teacher', 'teacher@lms.e2e.test', 'Instructor', 'Terry Teacher');
  await lmsUser('alice', 'alice@lms.e2e.test', 'Learner', 'Alice Learner');
  await lmsUser('bob', 'bob@lms.e2e.test', 'Learner', 'Bob Learner');
  django(
    `from autograder.accounts.models import User; User.objects.filter(username='${ROOT}').exists() or ` +
      `User.objects.create_superuser('${ROOT}', '${ROOT}', '${PASSWORD}')`,
  );
});

after(async () => {
  await browser?.close();
  platform?.stdin.end();
  platform?.kill();
});

step('a superuser registers the LMS on the registrations page', async () => {
  const page = await loginAs(browser, ROOT);
  await page.getByRole('link', { name: 'LMS' }).click();
  await page.getByRole('heading', { name: 'LMS registrations (LTI 1.3)' }).waitFor();
  assert.equal(await page.getByTestId('jwks-url').innerText(), `${BASE_URL}/api/lti/jwks/`);
  assert.equal(await page.getByTestId('launch-url').innerText(), `${BASE_URL}/api/lti/launch/`);
  await page.getByRole('button', { name: 'Register an LMS' }).click();
  await page.getByLabel('Name').fill('Test LMS');
  await page.getByLabel('Issuer (platform id)').fill(lms.issuer);
  await page.getByLabel('Client id').fill(lms.client_id);
  await page.getByLabel('Deployment ids').fill(lms.deployment_ids.join('\n'));
  await page.getByLabel('Platform keyset URL').fill(lms.keyset_url);
  await page.getByLabel('Authorization (OIDC auth) URL').fill(lms.auth_login_url);
  await page.getByLabel('Access token URL').fill(lms.auth_token_url);
  await screenshot(page, 'lti-1-register-platform');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Saved Test LMS.').waitFor();
  await page.getByRole('cell', { name: lms.issuer }).waitFor();
  await screenshot(page, 'lti-2-registrations');
  const listed = await apiFrom(page, 'GET', 'lti/platforms/');
  assert.deepEqual(listed.json.map((p) => [p.issuer, p.client_id, p.deployment_ids]), [[lms.issuer, lms.client_id, lms.deployment_ids]]);
});

step("the instructor's first launch creates the course and lands in it", async () => {
  const page = await launchAs('teacher');
  await page.getByRole('heading', { name: /Link “EECS 101 in the LMS”/ }).waitFor();
  await screenshot(page, 'lti-3-first-instructor-launch');
  await page.getByLabel('New course name').fill(COURSE);
  await page.getByRole('button', { name: 'Create and link' }).click();
  await page.waitForURL(/\/courses\/\d+$/);
  await page.getByRole('heading', { name: COURSE }).waitFor();
  const me = await apiFrom(page, 'GET', 'users/me/');
  assert.equal(me.json.username, 'teacher@lms.e2e.test');
});

step("a learner's launch lands in the linked course as a student", async () => {
  const page = await launchAs('alice');
  await page.waitForURL(/\/courses\/\d+$/);
  await page.getByRole('heading', { name: COURSE }).waitFor();
  const courseId = Number(new URL(page.url()).pathname.split('/').at(-1));
  const course = await apiFrom(page, 'GET', `courses/${courseId}/`);
  assert.deepEqual(course.json.my_roles, ['student']);
});

step('the instructor syncs the roster and sends grades from the course admin page', async () => {
  const page = await launchAs('teacher');
  await page.waitForURL(/\/courses\/\d+$/);
  const courseId = Number(new URL(page.url()).pathname.split('/').at(-1));
  const project = django(
    `from autograder.projects.models import Project; ` +
      `print(Project.objects.get_or_create(course_id=${courseId}, name='P1 Hello', defaults={'visible_to_students': True})[0].pk)`,
  );
  await page.goto(`/courses/${courseId}/admin?tab=lms`);
  await page.getByTestId('lti-link-status').getByText('EECS 101 in the LMS').waitFor();
  await page.getByRole('button', { name: 'Sync roster now' }).click();
  await page.getByRole('status').getByText(/Roster synced: \d+ students and 0 staff added/).waitFor();
  const roster = await apiFrom(page, 'GET', `courses/${courseId}/roster/student/`);
  assert.deepEqual(roster.json.results.map((u) => u.username).sort(), ['alice@lms.e2e.test', 'bob@lms.e2e.test']);
  await page.getByRole('cell', { name: 'bob@lms.e2e.test' }).waitFor();
  await page.getByRole('button', { name: 'Send grades now' }).click();
  await page.getByRole('status').getByText('Sending the grades of P1 Hello to the LMS').waitFor();
  assert.equal(await page.getByLabel('Project').inputValue(), String(project));
  await screenshot(page, 'lti-4-course-lms-panel');
});

step("a graded submission's score reaches the LMS gradebook and the panel shows it", async () => {
  const page = await launchAs('teacher');
  await page.waitForURL(/\/courses\/\d+$/);
  const courseId = Number(new URL(page.url()).pathname.split('/').at(-1));
  // A project worth 5 points; alice's submission passes the 2-point command, fails the 3-point
  // one. The real worker grades it; the grading's job_done queues the passback on `small`.
  const projectId = django(
    [
      'from django.core.files.uploadedfile import SimpleUploadedFile',
      'from autograder.accounts.models import User',
      'from autograder.courses.models import Course',
      'from autograder.submissions import services',
      'from tests import factories',
      'from tests.grading import pipeline_helpers as h',
      `p = h.project_with_catch_all(course=Course.objects.get(pk=${courseId}), name='P2 Graded')`,
      's = h.suite(p)',
      "h.command(s, 'python3 main.py', expected_return_code='zero', points_for_correct_return_code=2)",
      "h.command(s, 'exit 1', expected_return_code='zero', points_for_correct_return_code=3)",
      "alice = User.objects.get(username='alice@lms.e2e.test')",
      'g = factories.make_group(p, alice)',
      "services.submission_create(group=g, submitter=alice, files=[SimpleUploadedFile('main.py', b'print(1)')])",
      'print(p.pk)',
    ].join('\n'),
  );
  let posted;
  for (let tries = 0; tries < 120 && !posted; tries++) {
    const state = await (await fetch(`${lms.url}/state`)).json();
    const item = Object.values(state.line_items).find((i) => i.label === 'P2 Graded');
    posted = item && state.scores[item.id].find((score) => score.userId === 'lms-alice');
    if (!posted) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.ok(posted, 'no score reached the LMS line item');
  assert.deepEqual([posted.scoreGiven, posted.scoreMaximum, posted.gradingProgress], [2, 5, 'FullyGraded']);

  await page.goto(`/courses/${courseId}/admin?tab=lms`);
  await page.getByLabel('Project').selectOption({ label: 'P2 Graded' });
  assert.equal(await page.getByLabel('Project').inputValue(), projectId);
  const alice = page.getByRole('row', { name: /alice@lms\.e2e\.test/ });
  await alice.getByRole('cell', { name: '2 / 5' }).waitFor();
  await screenshot(page, 'lti-5-grade-passback-status');
});

step('a forged launch is refused with a page that says why', async () => {
  const page = await newPage(browser, 'forger');
  expectErrors(failedRequest(403, 'lti/launch/'));
  await page.setContent(
    `<form method="post" action="${BASE_URL}/api/lti/launch/"><input name="id_token" value="a.b.c"><input name="state" value="state-x"></form>`,
  );
  await Promise.all([page.waitForNavigation(), page.locator('form').evaluate((f) => f.submit())]);
  await page.getByRole('heading', { name: 'The LMS launch was refused' }).waitFor();
  await page.getByText('not started from this browser').waitFor();
  await screenshot(page, 'lti-6-refused-launch');
});
