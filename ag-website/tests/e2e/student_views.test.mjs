// What students see, in a real browser against a real server, worker and sandbox: the
// project's Markdown instructions and expected files before they have a group; after a failing
// submission, the test's description and hint (and never the staff notes), the diff marking the
// characters they got wrong, the score in their history, and their file in the code viewer; the
// same pages on a phone, none wider than the screen; staff see the staff notes.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiFrom, expectErrors, failedRequest, file, launch, loginAs, screenshot, SEED, steps } from './browser.mjs';

const PHONE = { width: 390, height: 844 };
const GRADING_TIMEOUT = 180_000;
const INSTRUCTIONS = [
  '## Part 1: greetings',
  '',
  'Write `hello.py` so that it prints **Hello** and then **Bye**.',
  '',
  '| file | required |',
  '|------|----------|',
  '| hello.py | yes |',
  '',
  '<script>window.injected = true</script>',
].join('\n');
// The student's program gets the second line wrong by one character.
const STUDENT_CODE = '# Greets, then says goodbye.\ndef main():\n    print("Hello")\n    print("bye")\n\n\nmain()\n';

let browser;
const state = {};
const step = steps(() => browser);

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** True when the page is no wider than its window (nothing to scroll sideways). */
const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

async function waitUntilGraded(page) {
  const deadline = Date.now() + GRADING_TIMEOUT;
  while (Date.now() < deadline) {
    const text = await page.getByTestId('status-message').textContent({ timeout: 1000 }).catch(() => null);
    if (text === 'All tests finished.') return;
    await page.waitForTimeout(200);
  }
  assert.fail('grading did not finish');
}

step('staff write instructions, a test description, a student hint and staff notes', async () => {
  const admin = await loginAs(browser, 'admin@e2e.test');
  state.admin = admin;
  const project = await apiFrom(admin, 'POST', `courses/${SEED.course}/projects/`, {
    name: 'Greetings',
    visible_to_students: true,
    instructions: INSTRUCTIONS,
    // Before the deadline students get normal feedback (the one that shows the diff here).
    closing_time: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
  });
  assert.equal(project.status, 201, JSON.stringify(project.json));
  state.projectId = project.json.id;
  const expected = await apiFrom(admin, 'POST', `projects/${state.projectId}/expected_files/`, { pattern: 'hello.py' });
  assert.equal(expected.status, 201, JSON.stringify(expected.json));
  // The suite and test, with their texts, are written in the test editor, as staff do.
  await admin.goto(`/projects/${state.projectId}/admin?tab=tests`);
  await admin.getByLabel('New suite name').fill('Public tests');
  await admin.getByRole('button', { name: 'Add suite' }).click();
  await admin.getByRole('heading', { name: 'Suite: Public tests' }).waitFor();
  await admin.getByLabel("Description (Markdown, shown with the suite's results)").fill('These run `hello.py` with **Python 3**.');
  await admin.getByLabel('Staff notes (Markdown, staff only)').fill('Suite note: staff eyes only.');
  await admin.getByLabel('hello.py', { exact: true }).check();
  await admin.getByRole('button', { name: 'Save suite' }).click();
  await admin.getByText('Suite saved.').waitFor();

  await admin.getByLabel('New test in Public tests').fill('Says hello and bye');
  await admin.getByRole('button', { name: 'Add test' }).click();
  await admin.getByRole('heading', { name: 'Test: Says hello and bye' }).waitFor();
  await admin.getByLabel('Description (Markdown, shown with the result)').fill('Checks what `hello.py` prints.');
  await admin.getByLabel('Hint for students (Markdown)').fill('Look at the **capital letters** of the second line.');
  await admin.getByLabel('Staff notes (Markdown, staff only)').fill('Half the class forgets the capital B.');
  await admin.getByRole('button', { name: 'Save test' }).click();
  await admin.getByText('Test saved.').waitFor();
  await screenshot(admin, 'views-01-test-hint-editor');

  const suites = await apiFrom(admin, 'GET', `projects/${state.projectId}/suites/`);
  const [suite] = suites.json.results ?? suites.json;
  assert.equal(suite.description, 'These run `hello.py` with **Python 3**.');
  state.caseId = suite.cases[0].id;
  const command = await apiFrom(admin, 'POST', `cases/${state.caseId}/commands/`, {
    name: 'Run',
    cmd: 'python3 hello.py',
    expected_stdout_source: 'text',
    expected_stdout_text: 'Hello\nBye\n',
    points_for_correct_stdout: 2,
    feedback: { normal: { stdout_feedback: 'expected_and_actual', show_actual_stdout: true, show_points: true } },
  });
  assert.equal(command.status, 201, JSON.stringify(command.json));
  const saved = await apiFrom(admin, 'GET', `suites/${suite.id}/cases/`);
  assert.equal(saved.json[0].student_hint, 'Look at the **capital letters** of the second line.');
  assert.equal(saved.json[0].staff_notes, 'Half the class forgets the capital B.');
});

step('before forming a group, a student reads the instructions and sees the expected files and limits', async () => {
  // Carol has no group yet: the page asks for it and gets a 404.
  expectErrors(failedRequest(404, `projects/${state.projectId}/my_group/`));
  const carol = await loginAs(browser, 'carol@e2e.test');
  state.carol = carol;
  await carol.goto(`/projects/${state.projectId}`);
  const instructions = carol.getByTestId('project-instructions');
  await instructions.getByRole('heading', { name: 'Part 1: greetings' }).waitFor();
  assert.equal(await instructions.locator('strong', { hasText: 'Hello' }).count(), 1);
  assert.equal(await instructions.locator('table td', { hasText: 'hello.py' }).count(), 1);
  assert.equal(await instructions.locator('script').count(), 0, 'script in Markdown is removed');
  assert.equal(await carol.evaluate(() => window.injected), undefined);
  await carol.getByTestId('expected-files').getByText('hello.py').waitFor();
  await carol.getByRole('heading', { name: 'Form your group' }).waitFor();
  await carol.getByText('Submissions today').waitFor();
  assert.match(await carol.title(), /^Project: Greetings · Autograder$/);
  await screenshot(carol, 'views-02-instructions-before-group');
});

step('a failing submission shows the description, the hint, the marked diff and no staff notes', async () => {
  const carol = state.carol;
  await carol.getByRole('button', { name: 'I am working alone' }).click();
  await carol.getByLabel('Choose files').setInputFiles([file('hello.py', STUDENT_CODE)]);
  await carol.getByText('✓ hello.py').waitFor();
  await carol.getByRole('button', { name: 'Submit', exact: true }).click();
  // Focus moves to the news rather than being lost on the disabled button.
  await carol.getByTestId('submitted').waitFor();
  assert.equal(await carol.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'submitted');
  await waitUntilGraded(carol);

  await carol.getByRole('link', { name: 'See the results' }).click();
  await carol.getByTestId('total-points').waitFor();
  state.submissionId = Number(new URL(carol.url()).pathname.split('/')[4]);
  const suite = carol.getByTestId('suite-result');
  await suite.getByText('These run hello.py with Python 3.').waitFor();
  const testCase = carol.getByTestId('case-result');
  assert.equal(await testCase.getAttribute('open'), '', 'a failing test starts open');
  await testCase.getByText('Checks what hello.py prints.').waitFor();
  const hint = carol.getByTestId('student-hint');
  await hint.locator('strong', { hasText: 'capital letters' }).waitFor();
  assert.equal(await carol.getByTestId('staff-notes').count(), 0);
  assert.doesNotMatch(await carol.locator('main').innerText(), /capital B|staff eyes only/);

  await carol.getByRole('button', { name: 'Show expected vs. actual output' }).click();
  const diff = carol.getByRole('region', { name: 'Expected vs. actual output' });
  await diff.waitFor();
  // The student's wrong line is the marked one, and only the changed character is highlighted.
  assert.equal(await diff.locator('td.actual ins.chg').innerText(), 'b');
  assert.equal(await diff.locator('td.expected del.chg').innerText(), 'B');
  const colors = await diff.evaluate((region) => ({
    actual: getComputedStyle(region.querySelector('td.actual')).backgroundColor,
    same: getComputedStyle(region.querySelector('td.same')).backgroundColor,
  }));
  assert.equal(colors.actual, 'rgb(253, 232, 230)', 'the wrong line is red, not green');
  await screenshot(carol, 'views-03-results-hint-diff');
});

step('the history shows each submission’s score, and the file opens in the code viewer', async () => {
  const carol = state.carol;
  await carol.goto(`/projects/${state.projectId}?tab=submissions`);
  await carol.getByTestId('submission-score').first().getByText('0 / 2').waitFor();
  await screenshot(carol, 'views-04-history-with-scores');

  await carol.goto(`/projects/${state.projectId}/submissions/${state.submissionId}`);
  await carol.getByRole('button', { name: 'View hello.py' }).click();
  const viewer = carol.getByRole('figure', { name: 'Contents of hello.py' });
  await viewer.waitFor();
  assert.deepEqual(await viewer.locator('td.ln').allInnerTexts(), ['1', '2', '3', '4', '5', '6', '7']);
  assert.equal(await viewer.locator('.hljs-comment').first().innerText(), '# Greets, then says goodbye.');
  assert.ok((await viewer.locator('.hljs-keyword').count()) > 0, 'Python keywords are highlighted');
  assert.match(await carol.title(), /Submission: Greetings, submission \d+ · Autograder/);
  await screenshot(carol, 'views-05-file-viewer');
});

step('on a phone the instructions, results, diff and code fit the screen', async () => {
  const phone = await loginAs(browser, 'carol@e2e.test', PHONE);
  await phone.goto(`/projects/${state.projectId}`);
  await phone.getByTestId('project-instructions').waitFor();
  assert.ok(await fitsWidth(phone), 'the project page is no wider than the phone');
  await screenshot(phone, 'views-06-phone-project');

  await phone.goto(`/projects/${state.projectId}/submissions/${state.submissionId}`);
  await phone.getByTestId('student-hint').waitFor();
  await phone.getByRole('button', { name: 'Show expected vs. actual output' }).click();
  const diff = phone.getByRole('region', { name: 'Expected vs. actual output' });
  await diff.waitFor();
  // Output lines are never broken inside a word: each keeps to one line and the diff scrolls.
  const lineHeights = await diff.locator('td.actual, td.expected').evaluateAll((cells) =>
    cells.map((cell) => cell.getClientRects().length && cell.getBoundingClientRect().height),
  );
  const rowHeight = await diff.locator('td.same').first().evaluate((cell) => cell.getBoundingClientRect().height);
  for (const height of lineHeights) assert.ok(height <= rowHeight + 1, `a diff line wrapped (${height} > ${rowHeight})`);
  await phone.getByRole('button', { name: 'View hello.py' }).click();
  await phone.getByRole('figure', { name: 'Contents of hello.py' }).waitFor();
  assert.ok(await fitsWidth(phone), 'the submission page is no wider than the phone');
  await screenshot(phone, 'views-07-phone-results-and-code');
  await phone.context().close();
});

step('staff see the staff notes with the results', async () => {
  const admin = state.admin;
  await admin.goto(`/projects/${state.projectId}/submissions/${state.submissionId}`);
  const notes = admin.getByTestId('staff-notes');
  await notes.getByText('Suite note: staff eyes only.').waitFor();
  await notes.getByText('Half the class forgets the capital B.').waitFor();
  await screenshot(admin, 'views-08-staff-notes');
  // Staff also see the sandbox image and its id the suite ran on; the student did not.
  const ranOn = admin.getByTestId('suite-image');
  await ranOn.getByText(/ag-sandbox-default/).waitFor();
  assert.match(await ranOn.textContent(), /image id sha256:[0-9a-f]{12}/);
  await ranOn.scrollIntoViewIfNeeded();
  await screenshot(admin, 'views-09-staff-sees-the-image');
  await state.carol.goto(`/projects/${state.projectId}/submissions/${state.submissionId}`);
  await state.carol.getByTestId('suite-result').waitFor();
  assert.equal(await state.carol.getByTestId('suite-image').count(), 0);
  await state.carol.context().close();
});
