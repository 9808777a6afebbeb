// The scenarios in a real browser, against a real server, worker and sandboxes:
// staff set up a project; students form a group, submit, watch grading live and read their
// results; a student can't reach staff pages or another group's results; staff rerun a
// submission after fixing the expected output; students spend late days and remove a queued
// submission; staff merge two groups.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, fieldErrors, file, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const EXPECTED = 'Hello, world!\nBye\n';
const FIXED_EXPECTED = 'Hello, world!\nbye\n';
// The sleep keeps the submission in "being graded" long enough to watch it there.
const STUDENT_CODE = 'import time\ntime.sleep(2)\nprint("Hello, world!")\nprint("bye")\n';
// Keeps the one worker busy long enough for another student to see a submission queued behind
// it and remove it (the command's time limit is raised to 40 seconds for it).
const SLOW_CODE = 'import time\ntime.sleep(25)\nprint("Hello, world!")\nprint("bye")\n';
const GRADING_TIMEOUT = 180_000;

let browser;
const state = {};
const step = steps(() => browser);

/** A date as a datetime-local input takes it, in the browser's (and this process's) time zone. */
function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * Waits until the project summary's entry `term` ("Late days left", "Submissions today") reads
 * `expected` (the whole text, or a pattern); fails naming what it showed instead. The summary
 * fills in as its data arrives, so a first read may come too early.
 */
async function expectSummary(page, term, expected) {
  const entry = page.locator('.summary div', { has: page.locator('dt', { hasText: term }) }).locator('dd');
  const matches = (text) => (expected instanceof RegExp ? expected.test(text) : text === expected);
  let text = '';
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    text = ((await entry.innerText({ timeout: 1000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
    if (matches(text)) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`"${term}" shows ${JSON.stringify(text)}, not ${expected}`);
}

/** Follows a live status message until grading ends; returns every message shown. */
async function watchUntilFinished(page) {
  const message = page.getByTestId('status-message');
  const seen = [];
  const deadline = Date.now() + GRADING_TIMEOUT;
  while (Date.now() < deadline) {
    const text = await message.textContent({ timeout: 1000 }).catch(() => null);
    if (text && seen[seen.length - 1] !== text) seen.push(text);
    if (text === 'All tests finished.') break;
    await page.waitForTimeout(50);
  }
  return seen;
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
  assert.match(await fieldErrors(page, 'Students: email addresses or usernames'), /Longer than 150 characters/);
  assert.equal(await page.getByRole('table', { name: 'students' }).getByRole('cell', { name: 'x'.repeat(151) }).count(), 0);
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

  // A bad pattern is refused with the reason under the field, and nothing is added.
  expectErrors(failedRequest(400, `projects/${state.projectId}/expected_files/`));
  await page.getByLabel('New pattern').fill('src/x.py');
  await page.getByRole('button', { name: 'Add expected file' }).click();
  assert.equal(await fieldErrors(page, 'New pattern'), "Patterns match file names, not paths: no '/' or '\\'.");
  assert.equal(await page.getByRole('cell', { name: 'src/x.py' }).count(), 0);
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
  await page.getByLabel('Time limit (seconds)').fill('40');
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
  assert.equal(command.time_limit_s, 40);
  assert.equal(command.feedback.normal.stdout_feedback, 'expected_and_actual');
});

step('two students form a group by invitation', async () => {
  // Until a student has a group, the API answers "no group yet" with a 404.
  expectErrors(failedRequest(404, `projects/${state.projectId}/my_group/`));
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
  await alice.getByTestId('status-message').waitFor();
  await screenshot(alice, '10-live-status');

  const seen = await watchUntilFinished(alice);
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

  // A failing test starts open.
  assert.equal(await alice.getByTestId('case-result').getAttribute('open'), '');
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
  expectErrors(
    failedRequest(404, `projects/${state.projectId}/my_group/`),
    // Alice asks for Carol's submission, its files, its results and staff-only data: each is refused.
    failedRequest('40[34]', /submissions\/\d+\//),
    failedRequest('40[34]', /submissions\/\d+\/files\//),
    failedRequest('40[34]', /submissions\/\d+\/results\//),
    failedRequest(403, `projects/${state.projectId}/suites/`),
  );
  const carol = await loginAs(browser, 'carol@e2e.test');
  await carol.goto(`/projects/${state.projectId}`);
  await carol.getByRole('button', { name: 'I am working alone' }).click();
  await carol.getByLabel('Choose files').setInputFiles([file('hello.py', 'print("hi")\n')]);
  await carol.getByRole('button', { name: 'Submit', exact: true }).click();
  await carol.getByTestId('status-message').waitFor();
  const groups = await apiFrom(carol, 'GET', `projects/${state.projectId}/my_group/`);
  const carolSubs = await apiFrom(carol, 'GET', `groups/${groups.json.id}/submissions/`);
  const carolSubmission = carolSubs.json.results[0].id;
  // Graded before the staff steps below count submissions.
  assert.equal((await watchUntilFinished(carol)).at(-1), 'All tests finished.');
  await carol.context().close();

  const alice = state.alice;
  await alice.goto(`/projects/${state.projectId}/submissions/${carolSubmission}`);
  await alice.getByRole('alert').first().waitFor();
  assert.doesNotMatch(await alice.locator('main').textContent(), /print\("hi"\)|Results/);
  await screenshot(alice, '13-other-group-forbidden');
  const results = await apiFrom(alice, 'GET', `submissions/${carolSubmission}/results/`);
  assert.ok([403, 404].includes(results.status), `results of another group: ${results.status}`);

  // The staff pages say so, and show none of the staff controls.
  await alice.goto(`/projects/${state.projectId}/admin`);
  await alice.getByTestId('forbidden').waitFor();
  await screenshot(alice, '14-student-on-admin-page');
  assert.equal(await alice.getByRole('navigation', { name: 'Project admin sections' }).count(), 0);
  assert.equal(await alice.getByRole('button', { name: 'Save settings' }).count(), 0);
  await alice.goto(`/courses/${SEED.course}/admin?tab=roster-student`);
  await alice.getByText('Only course staff can see this page.').waitFor();
  assert.equal(await alice.getByLabel('Students: email addresses or usernames').count(), 0);
  assert.equal(await alice.getByRole('cell', { name: 'carol@e2e.test' }).count(), 0);
  const suites = await apiFrom(alice, 'GET', `projects/${state.projectId}/suites/`);
  assert.equal(suites.status, 403);
});

step('staff pages: student lookup, gradebook, reruns with progress, stats', async () => {
  // The admin is in no group of the project, which the project page asks about (404).
  expectErrors(failedRequest(404, `projects/${state.projectId}/my_group/`));
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

  // The expected output had a typo ("Bye"): staff fix it and rerun Alice's submission on the
  // very image it was graded on (by digest), and its score goes from 1 to 6 of 6.
  await admin.goto(`/projects/${state.projectId}/admin?tab=instructor-files`);
  // The page shows no message when a replacement is stored, so wait for the server's answer.
  const replaced = admin.waitForResponse((r) => /\/api\/instructor_files\/\d+\/$/.test(r.url()) && r.request().method() === 'PUT');
  await admin.getByLabel('Replace expected.txt').setInputFiles([file('expected.txt', FIXED_EXPECTED)]);
  assert.equal((await replaced).status(), 200);
  await admin.getByRole('button', { name: 'View expected.txt' }).click();
  const contents = admin.getByLabel('Contents of expected.txt');
  await contents.waitFor();
  assert.equal((await contents.innerText()).trim(), FIXED_EXPECTED.trim());
  await admin.goto(`/projects/${state.projectId}/admin?tab=reruns`);
  await admin.getByLabel('Which submissions').selectOption('list');
  await admin.getByLabel('Submission ids').fill(String(state.aliceSubmission));
  await admin.getByLabel('Image', { exact: true }).selectOption('original');
  await admin.getByText('Each suite runs on the exact image (by digest)').waitFor();
  await admin.getByRole('button', { name: 'Start rerun' }).click();
  const rerun = admin.getByTestId('rerun').first();
  await rerun.waitFor();
  await rerun.locator('.badge', { hasText: /Finished|Cancelled/ }).waitFor({ timeout: GRADING_TIMEOUT });
  assert.equal(await rerun.locator('.badge').innerText(), 'Finished');
  assert.match(await rerun.innerText(), /1 done, 0 failed, 0 cancelled of 1/);
  assert.match(await rerun.innerText(), /list on the original images/);
  await screenshot(admin, '17-reruns');
  await admin.goto(`/projects/${state.projectId}/submissions/${state.aliceSubmission}`);
  assert.equal((await admin.getByTestId('total-points').innerText()).trim(), '6 / 6 points');
  await admin.goto(`/projects/${state.projectId}/admin?tab=gradebook`);
  await admin.getByRole('row', { name: /alice@e2e\.test, bob@e2e\.test/ }).locator('td.points', { hasText: '6 / 6' }).waitFor();

  // Two submissions so far, both graded: Alice's (rerun) and Carol's.
  await admin.goto(`/projects/${state.projectId}/admin?tab=stats`);
  const stats = admin.getByRole('region', { name: 'Statistics' });
  await stats.getByText('2 submissions.').waitFor();
  assert.deepEqual(await stats.locator('.badge').allInnerTexts(), ['Finished: 2']);
  assert.match(await stats.innerText(), /Median queue wait \(latest 2 graded submissions\): \d/);
  const perHour = stats.locator('figure', { hasText: 'Submissions per hour (last 48 hours)' });
  await perHour.getByText('Show as a table').click();
  const counts = (await perHour.locator('tbody td:nth-child(2)').allInnerTexts()).map(Number);
  assert.equal(counts.length, 48);
  assert.equal(counts.reduce((a, b) => a + b, 0), 2);
  await screenshot(admin, '18-stats');
});

step('after the deadline, the student’s history marks the final graded submission', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}/admin`);
  // Half a day ago: a submission now is one day late (a day late starts right after the deadline).
  await admin.getByLabel('Deadline (enforced)').fill(localInput(new Date(Date.now() - 12 * 3600_000)));
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

step('a student submits after the deadline using a late day, and sees the late days left go down', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}/admin`);
  await admin.getByLabel('Students may use late days').check();
  await admin.getByLabel('Submissions per day').fill('3');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.getByText('Saved.').waitFor();

  const alice = state.alice;
  await alice.goto(`/projects/${state.projectId}`);
  await expectSummary(alice, 'Late days left', '2 (0 used in this course)');
  await expectSummary(alice, 'Submissions today', /^1 of 3 used/);
  await alice.getByLabel('Choose files').setInputFiles([file('hello.py', SLOW_CODE)]);
  await alice.getByRole('button', { name: 'Submit (uses 1 late day)' }).click();
  await alice.getByTestId('status-message').waitFor();
  await expectSummary(alice, 'Late days left', '1 (1 used in this course)');
  await expectSummary(alice, 'Submissions today', /^2 of 3 used/);
  await alice.getByText('Your submission is being graded!').waitFor({ timeout: GRADING_TIMEOUT });
  await screenshot(alice, '21-late-day-used');

  // Bob, in the same group, was charged the same late day.
  const bob = await loginAs(browser, 'bob@e2e.test');
  await bob.goto(`/projects/${state.projectId}?tab=submissions`);
  await bob.locator('tbody tr').first().getByText('Late (1 late day).').waitFor();
  await bob.getByRole('link', { name: 'Submit', exact: true }).click();
  await expectSummary(bob, 'Late days left', '1 (1 used in this course)');
  await bob.context().close();
});

step('a student removes a queued submission: it shows removed, and the late day and the daily count come back', async () => {
  // Alice's slow submission holds the only worker, so Carol's waits in the queue behind it.
  const carol = await loginAs(browser, 'carol@e2e.test');
  await carol.goto(`/projects/${state.projectId}`);
  await expectSummary(carol, 'Late days left', '2 (0 used in this course)');
  await expectSummary(carol, 'Submissions today', /^1 of 3 used/);
  await carol.getByLabel('Choose files').setInputFiles([file('hello.py', STUDENT_CODE)]);
  await carol.getByRole('button', { name: 'Submit (uses 1 late day)' }).click();
  const message = carol.getByTestId('status-message');
  await message.filter({ hasText: /in the queue/ }).waitFor();
  await expectSummary(carol, 'Late days left', '1 (1 used in this course)');
  await expectSummary(carol, 'Submissions today', /^2 of 3 used/);
  await screenshot(carol, '22-queued');

  await carol.getByRole('button', { name: 'Remove from queue' }).click();
  await message.filter({ hasText: 'This submission was removed from the queue. It was not graded and does not count.' }).waitFor();
  assert.equal(await carol.locator('.live-status .badge').innerText(), 'Removed from queue');
  await expectSummary(carol, 'Late days left', '2 (0 used in this course)');
  await expectSummary(carol, 'Submissions today', /^1 of 3 used/);
  await carol.getByRole('button', { name: 'Submit (uses 1 late day)' }).waitFor();
  await screenshot(carol, '23-removed-from-queue');
  await carol.getByRole('link', { name: 'My submissions' }).click();
  const rows = carol.locator('tbody tr');
  await rows.first().getByText('Removed from queue').waitFor();
  assert.equal(await rows.count(), 2);
  await carol.context().close();

  // Alice's late submission, graded against the fixed expected output, gets every point.
  const alice = state.alice;
  assert.equal((await watchUntilFinished(alice)).at(-1), 'All tests finished.');
  await alice.getByRole('link', { name: 'See the results' }).click();
  assert.equal((await alice.getByTestId('total-points').innerText()).trim(), '6 / 6 points');
});

step('staff merge two groups on the groups page, and the merged group has both members', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}/admin?tab=groups`);
  await admin.getByRole('heading', { name: 'Groups', exact: true }).waitFor();
  for (const member of ['dave@e2e.test', 'erin@e2e.test']) {
    await admin.getByLabel('Members: usernames or emails').fill(member);
    await admin.getByRole('button', { name: 'Create group' }).click();
    await admin.getByRole('status').getByText(`Created the group of ${member}.`).waitFor();
  }
  const rows = admin.getByTestId('group-row');
  assert.deepEqual((await rows.locator('td:first-child').allInnerTexts()).sort(), [
    'alice@e2e.test, bob@e2e.test',
    'carol@e2e.test',
    'dave@e2e.test',
    'erin@e2e.test',
  ]);

  // A group can't be merged with itself: the reason shows under the field.
  expectErrors(failedRequest(400, /groups\/\d+\/merge\//));
  await admin.getByLabel('Merge this group').selectOption({ label: 'dave@e2e.test' });
  await admin.getByLabel('Into this group').selectOption({ label: 'dave@e2e.test' });
  admin.once('dialog', (dialog) => dialog.accept());
  await admin.getByRole('button', { name: 'Merge groups' }).click();
  assert.equal(await fieldErrors(admin, 'Merge this group'), "A group can't be merged with itself.");

  await admin.getByLabel('Merge this group').selectOption({ label: 'erin@e2e.test' });
  await admin.getByLabel('Into this group').selectOption({ label: 'dave@e2e.test' });
  let question = '';
  admin.once('dialog', (dialog) => {
    question = dialog.message();
    return dialog.accept();
  });
  await admin.getByRole('button', { name: 'Merge groups' }).click();
  await admin.getByRole('status').getByText('Merged. The group is now dave@e2e.test, erin@e2e.test.').waitFor();
  assert.equal(question, 'Merge the group of erin@e2e.test into the group of dave@e2e.test? This cannot be undone.');
  await rows.filter({ hasText: 'dave@e2e.test, erin@e2e.test' }).waitFor();
  assert.deepEqual((await rows.locator('td:first-child').allInnerTexts()).sort(), [
    'alice@e2e.test, bob@e2e.test',
    'carol@e2e.test',
    'dave@e2e.test, erin@e2e.test',
  ]);
  await screenshot(admin, '24-groups-merged');

  // The server agrees, and the student lookup finds the merged group under either name.
  const groups = await apiFrom(admin, 'GET', `projects/${state.projectId}/groups/`);
  const merged = groups.json.results.find((g) => g.members.some((m) => m.username === 'erin@e2e.test'));
  assert.deepEqual(merged.members.map((m) => m.username).sort(), ['dave@e2e.test', 'erin@e2e.test']);
  expectErrors(failedRequest(404, `projects/${state.projectId}/my_group/`));
  await admin.goto(`/projects/${state.projectId}?tab=lookup`);
  await admin.getByLabel('Find a student').fill('erin');
  await admin.getByRole('button', { name: 'dave@e2e.test, erin@e2e.test' }).waitFor();
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
