// The scenarios in a real browser, against a real server, worker and sandboxes:
// staff set up a project; students form a group, submit, watch grading live and read their
// results; a student can't reach staff pages or another group's results.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiFrom, file, launch, loginAs, screenshot, SEED } from './browser.mjs';

const EXPECTED = 'Hello, world!\nBye\n';
// The sleep keeps the submission in "being graded" long enough to watch it there.
const STUDENT_CODE = 'import time\ntime.sleep(2)\nprint("Hello, world!")\nprint("bye")\n';
const GRADING_TIMEOUT = 180_000;

let browser;
const state = {};
let broken = false;

/** A date as a datetime-local input takes it, in the browser's (and this process's) time zone. */
function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The scenarios build on each other: after a failure, later steps are skipped, not timed out. */
function step(name, body) {
  test(name, async (t) => {
    if (broken) return t.skip('an earlier step failed');
    try {
      await body();
      for (const context of browser.contexts()) {
        for (const page of context.pages()) {
          const crashed = await page.getByText('Something went wrong on this page').count();
          assert.equal(crashed, 0, `an unexpected error was shown on ${page.url()}`);
        }
      }
    } catch (error) {
      broken = true;
      let n = 0;
      for (const context of browser.contexts()) {
        for (const page of context.pages()) await screenshot(page, `FAILED-${++n}`).catch(() => undefined);
      }
      throw error;
    }
  });
}

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

step('an admin creates a project with an expected file, an instructor file, a suite, a test and a command', async () => {
  const page = await loginAs(browser, 'admin@e2e.test');
  state.admin = page;
  await screenshot(page, '01-my-courses');

  await page.getByRole('link', { name: 'E2E 101' }).first().click();
  await page.getByRole('link', { name: 'Course admin' }).click();
  await page.getByRole('heading', { name: 'Course settings' }).waitFor();
  await screenshot(page, '02-course-admin-settings');
  await page.getByRole('link', { name: 'Students' }).click();
  await page.getByRole('cell', { name: 'alice@e2e.test' }).first().waitFor();
  await page.getByLabel('Students: email addresses or usernames').fill('dave@e2e.test,\nerin@e2e.test');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Confirm: add 2 students' }).click();
  await page.getByText('New accounts: dave@e2e.test, erin@e2e.test').waitFor();
  await page.getByRole('cell', { name: 'erin@e2e.test' }).first().waitFor();
  // A name longer than a username may be is refused by the preview, with the reason under the field.
  await page.getByLabel('Students: email addresses or usernames').fill('x'.repeat(151));
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.locator('.field-errors').first().waitFor();
  await screenshot(page, '03-course-admin-roster');

  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByLabel('Project name').fill('Hello');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { name: 'Project admin: Hello' }).waitFor();
  state.projectId = Number(new URL(page.url()).pathname.split('/')[2]);

  await page.getByLabel('Visible to students').check();
  await page.getByLabel('Largest group').fill('2');
  const nextWeek = new Date(Date.now() + 7 * 86400_000);
  nextWeek.setHours(23, 59, 0, 0);
  await page.getByLabel('Deadline (enforced)').fill(localInput(nextWeek));
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved.').waitFor();
  await screenshot(page, '04-project-settings');

  await page.getByRole('link', { name: 'Student files' }).click();
  await page.getByLabel('New pattern').fill('hello.py');
  await page.getByRole('button', { name: 'Add expected file' }).click();
  await page.getByRole('cell', { name: 'hello.py', exact: true }).waitFor();

  // A bad pattern is refused with the reason next to the field.
  await page.getByLabel('New pattern').fill('src/x.py');
  await page.getByRole('button', { name: 'Add expected file' }).click();
  await page.locator('.field-errors').first().waitFor();
  await screenshot(page, '05-expected-files-with-error');
  await page.getByLabel('New pattern').fill('');

  await page.getByRole('link', { name: 'Instructor files' }).click();
  await page.getByLabel(/Upload files/).setInputFiles([file('expected.txt', EXPECTED)]);
  await page.getByTestId('instructor-file').filter({ hasText: 'expected.txt' }).waitFor();
  await page.getByRole('button', { name: 'View expected.txt' }).click();
  await page.getByLabel('Contents of expected.txt').waitFor();
  await screenshot(page, '06-instructor-files');

  await page.getByRole('link', { name: 'Test cases' }).click();
  await page.getByLabel('New suite name').fill('Basics');
  await page.getByRole('button', { name: 'Add suite' }).click();
  await page.getByRole('heading', { name: 'Suite: Basics' }).waitFor();
  await page.getByLabel('expected.txt').check();
  await page.getByRole('button', { name: 'Save suite' }).click();
  await page.getByText('Suite saved.').waitFor();

  await page.getByLabel('New test in Basics').fill('Prints hello');
  await page.getByRole('button', { name: 'Add test' }).click();
  await page.getByRole('heading', { name: 'Test: Prints hello' }).waitFor();
  await page.getByLabel('New command name in Prints hello').fill('run hello.py');
  await page.getByLabel('Command to run (bash)').fill('python3 hello.py');
  await page.getByRole('button', { name: 'Add command' }).click();
  await page.getByRole('heading', { name: 'Command: run hello.py' }).waitFor();

  await page.getByLabel('Expected exit status').selectOption('zero');
  await page.getByLabel('Points for a correct exit status').fill('1');
  await page.getByLabel('Expected output', { exact: true }).selectOption('instructor_file');
  await page.getByLabel('Expected output file').selectOption({ label: 'expected.txt' });
  await page.getByLabel('Points for correct output').fill('5');
  await page.getByLabel('Normal', { exact: true }).selectOption('public');
  await page.getByRole('button', { name: 'Save command' }).click();
  await page.getByText('Command saved.').waitFor();
  await screenshot(page, '07-test-editor-command');

  // A second suite, moved first with the keyboard-usable buttons, then deleted again.
  await page.getByLabel('New suite name').fill('Extras');
  await page.getByRole('button', { name: 'Add suite' }).click();
  await page.getByRole('heading', { name: 'Suite: Extras' }).waitFor();
  await page.getByRole('button', { name: 'Move Extras up' }).click();
  await page.getByRole('button', { name: 'Move Extras up' }).and(page.locator(':disabled')).waitFor();
  const order = await apiFrom(page, 'GET', `projects/${state.projectId}/suites/`);
  assert.deepEqual(order.json.map((suite) => suite.name), ['Extras', 'Basics']);
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Delete suite' }).click();
  await page.getByRole('button', { name: 'Move Extras up' }).waitFor({ state: 'detached' });

  const suites = await apiFrom(page, 'GET', `projects/${state.projectId}/suites/`);
  assert.deepEqual(suites.json.map((suite) => suite.name), ['Basics']);
  const command = suites.json[0].cases[0].commands[0];
  assert.equal(command.expected_stdout_source, 'instructor_file');
  assert.equal(command.points_possible, 6);
  assert.equal(command.feedback.normal.stdout_feedback, 'expected_and_actual');
});

step('two students form a group by invitation', async () => {
  const alice = await loginAs(browser, 'alice@e2e.test');
  state.alice = alice;
  await alice.getByRole('link', { name: 'E2E 101' }).first().click();
  await alice.getByRole('link', { name: 'Hello' }).click();
  await alice.getByRole('heading', { name: 'Form your group' }).waitFor();
  await screenshot(alice, '08-group-registration');
  await alice.getByLabel("Partners' usernames or emails").fill('bob@e2e.test');
  await alice.getByRole('button', { name: 'Send invitation' }).click();
  await alice.getByRole('heading', { name: 'Invitation you sent' }).waitFor();

  const bob = await loginAs(browser, 'bob@e2e.test');
  await bob.goto(`/projects/${state.projectId}`);
  await bob.getByRole('button', { name: 'Accept invitation from alice@e2e.test' }).click();
  await bob.getByRole('heading', { name: 'Submit' }).waitFor();
  await bob.context().close();

  await alice.reload();
  await alice.getByRole('heading', { name: 'Submit' }).waitFor();
  await alice.getByText('alice@e2e.test, bob@e2e.test').waitFor();
  await alice.getByTestId('countdown').getByText(/closes in 6 days|closes in 7 days/).waitFor();
});

step('a student sees missing and extra files before uploading, submits, and watches the status live', async () => {
  const alice = state.alice;
  const picker = alice.getByLabel('Choose files');
  await picker.setInputFiles([file('notes.txt', 'todo')]);
  await alice.getByText('Missing 1 file matching "hello.py".').waitFor();
  await alice.getByText('These files are not expected and will not be graded: notes.txt.').waitFor();
  await alice.getByRole('button', { name: 'Remove notes.txt' }).click();
  await picker.setInputFiles([file('hello.py', STUDENT_CODE)]);
  await alice.getByText('✓ hello.py').waitFor();
  await screenshot(alice, '09-submit-with-expected-files');

  const urlBefore = alice.url();
  await alice.getByRole('button', { name: 'Submit', exact: true }).click();
  const message = alice.getByTestId('status-message');
  await message.waitFor();
  await screenshot(alice, '10-live-status');

  const seen = [];
  const deadline = Date.now() + GRADING_TIMEOUT;
  while (Date.now() < deadline) {
    const text = await message.textContent({ timeout: 1000 }).catch(() => null);
    if (text && seen[seen.length - 1] !== text) seen.push(text);
    if (text === 'All tests finished.') break;
    await alice.waitForTimeout(50);
  }
  assert.equal(seen.at(-1), 'All tests finished.', `the final status was shown: ${JSON.stringify(seen)}`);
  assert.ok(seen.includes('Your submission is being graded!'), `grading was shown live: ${JSON.stringify(seen)}`);
  assert.equal(alice.url(), urlBefore, 'the page updated without navigating');
});

step('the student sees the right points and the diff of expected and actual output', async () => {
  const alice = state.alice;
  await alice.getByRole('link', { name: 'See the results' }).click();
  await alice.getByTestId('total-points').waitFor();
  state.aliceSubmission = Number(new URL(alice.url()).pathname.split('/')[4]);
  assert.equal((await alice.getByTestId('total-points').textContent()).trim(), '1 / 6 points');

  await alice.getByTestId('case-result').locator('summary').click();
  const command = alice.getByTestId('command-result');
  await command.getByText('Exit status:').waitFor();
  assert.match(await command.textContent(), /Output \(stdout\):\s*✗ Incorrect/);
  await command.getByRole('button', { name: 'Show expected vs. actual output' }).click();
  const diff = alice.getByRole('region', { name: 'Expected vs. actual output' });
  await diff.waitFor();
  await diff.locator('td.expected', { hasText: 'Bye' }).waitFor();
  await diff.locator('td.actual', { hasText: 'bye' }).waitFor();
  await screenshot(alice, '11-results-with-diff');

  // Before the deadline a student's history marks no final graded submission.
  await alice.goto(`/projects/${state.projectId}?tab=submissions`);
  await alice.locator('tbody tr').first().waitFor();
  assert.equal(await alice.getByText('Final graded submission').count(), 0);
  await screenshot(alice, '12-submission-history');
});

step('a student cannot reach staff pages or another group’s results', async () => {
  const carol = await loginAs(browser, 'carol@e2e.test');
  await carol.goto(`/projects/${state.projectId}`);
  await carol.getByRole('button', { name: 'I am working alone' }).click();
  await carol.getByLabel('Choose files').setInputFiles([file('hello.py', 'print("hi")\n')]);
  await carol.getByRole('button', { name: 'Submit', exact: true }).click();
  await carol.getByTestId('status-message').waitFor();
  const groups = await apiFrom(carol, 'GET', `projects/${state.projectId}/my_group/`);
  const carolSubs = await apiFrom(carol, 'GET', `groups/${groups.json.id}/submissions/`);
  const carolSubmission = carolSubs.json.results[0].id;
  await carol.context().close();

  const alice = state.alice;
  await alice.goto(`/projects/${state.projectId}/submissions/${carolSubmission}`);
  await alice.getByRole('alert').first().waitFor();
  assert.doesNotMatch(await alice.locator('main').textContent(), /print\("hi"\)|Results/);
  await screenshot(alice, '13-other-group-forbidden');
  const results = await apiFrom(alice, 'GET', `submissions/${carolSubmission}/results/`);
  assert.ok([403, 404].includes(results.status), `results of another group: ${results.status}`);

  await alice.goto(`/projects/${state.projectId}/admin`);
  await alice.getByTestId('forbidden').waitFor();
  await screenshot(alice, '14-student-on-admin-page');
  await alice.goto(`/courses/${SEED.course}/admin?tab=roster-student`);
  await alice.getByText('Only course staff can see this page.').waitFor();
  const suites = await apiFrom(alice, 'GET', `projects/${state.projectId}/suites/`);
  assert.equal(suites.status, 403);
  assert.equal(alice.url().includes('/admin'), true);
});

step('staff pages: student lookup, gradebook, reruns with progress, stats', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}?tab=lookup`);
  await admin.getByLabel('Find a student').fill('alice');
  await admin.getByRole('button', { name: 'alice@e2e.test, bob@e2e.test' }).click();
  await admin.getByRole('heading', { name: 'Group of alice@e2e.test, bob@e2e.test' }).waitFor();
  await admin.getByText('Final graded submission').waitFor();
  await admin.getByLabel('Bonus submissions left').fill('2');
  await admin.getByRole('button', { name: 'Save group' }).click();
  await admin.getByText(/^Saved\./).waitFor();
  await screenshot(admin, '15-student-lookup');

  await admin.goto(`/projects/${state.projectId}/submissions/${state.aliceSubmission}`);
  await admin.getByTestId('total-points').waitFor();
  await admin.getByLabel('Show results with feedback for').selectOption('staff_viewer');
  await admin.getByText('Shown with staff view.').waitFor();

  await admin.goto(`/projects/${state.projectId}/admin?tab=gradebook`);
  await admin.getByRole('cell', { name: 'alice@e2e.test, bob@e2e.test' }).waitFor();
  await admin.getByRole('cell', { name: '1 / 6' }).first().waitFor();
  await screenshot(admin, '16-gradebook');
  const csv = await admin.evaluate(async (id) => (await fetch(`/api/projects/${id}/gradebook.csv`)).text(), state.projectId);
  assert.match(csv, /alice@e2e\.test/);

  await admin.goto(`/projects/${state.projectId}/admin?tab=reruns`);
  await admin.getByLabel('Which submissions').selectOption('list');
  await admin.getByLabel('Submission ids').fill(String(state.aliceSubmission));
  await admin.getByRole('button', { name: 'Start rerun' }).click();
  const rerun = admin.getByTestId('rerun').first();
  await rerun.waitFor();
  await rerun.getByText(/Finished|Cancelled/).waitFor({ timeout: GRADING_TIMEOUT });
  await screenshot(admin, '17-reruns');

  await admin.goto(`/projects/${state.projectId}/admin?tab=stats`);
  await admin.getByText('Submissions per hour (last 48 hours)').waitFor();
  await screenshot(admin, '18-stats');
});

step('after the deadline, the student’s history marks the final graded submission', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}/admin`);
  await admin.getByLabel('Deadline (enforced)').fill(localInput(new Date(Date.now() - 86400_000)));
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.getByText('Saved.').waitFor();

  const alice = state.alice;
  await alice.goto(`/projects/${state.projectId}?tab=submissions`);
  const row = alice.locator('tbody tr', { hasText: 'Final graded submission' });
  await row.waitFor();
  assert.equal(await alice.getByText('Final graded submission').count(), 1);
  await screenshot(alice, '12b-submission-history-after-deadline');
  await row.getByRole('link').click();
  await alice.getByText('This is the final graded submission.').waitFor();
});

step('the project page works at phone width', async () => {
  const phone = await loginAs(browser, 'bob@e2e.test', { width: 375, height: 740 });
  await phone.goto(`/projects/${state.projectId}`);
  await phone.getByRole('heading', { name: 'Submit' }).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
  await screenshot(phone, '19-phone-project-page');
  await phone.goto(`/projects/${state.projectId}/submissions/${state.aliceSubmission}`);
  await phone.getByTestId('total-points').waitFor();
  await screenshot(phone, '20-phone-results');
  await phone.context().close();
});
