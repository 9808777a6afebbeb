// Shared helpers for the end-to-end tests: Debian's Chromium through playwright-core.
//
// Every page error (an uncaught exception) and every console error or warning of every page
// fails the test during which it happened, unless that test declared it with `expectErrors`
// because it provokes it on purpose (a wrong password, a refused form). A failed request is a
// console error too ("Failed to load resource: ... 400"), so an unexpected 4xx or 5xx fails.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8000';
export const PASSWORD = process.env.E2E_PASSWORD ?? 'e2e-password';
export const SEED = JSON.parse(process.env.E2E_SEED ?? '{"course": 1}');
const SCREENSHOTS = process.env.E2E_SCREENSHOTS ?? '.ci-artifacts/screenshots';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** What the pages logged since the last check: `{who, text}`. */
let logged = [];
/** What the running test declared it provokes: `{pattern, seen}`. */
let declared = [];

/** Records `page`'s uncaught exceptions and console errors and warnings, labelled `who`. */
export function watchErrors(page, who) {
  page.on('pageerror', (error) => logged.push({ who, text: `page error: ${error.message}` }));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const url = msg.location()?.url;
    logged.push({ who, text: `console ${msg.type()}: ${msg.text()}${url ? ` (${url})` : ''}` });
  });
}

/**
 * Declares errors the running test provokes on purpose, as regular expressions matched against
 * "page error: ..." or "console error: ... (url)". Each must happen before the test ends, and
 * may happen more than once; anything else logged fails the test.
 */
export function expectErrors(...patterns) {
  declared.push(...patterns.map((pattern) => ({ pattern, seen: false })));
}

/**
 * The console error Chromium logs for a request to `/api/<apiPath>` (any query string) answered
 * with `status` (a number, or a pattern such as '40[34]'). `apiPath` is a literal string, or a
 * RegExp for paths with ids the test doesn't know (`/submissions\/\d+\//`).
 */
export function failedRequest(status, apiPath) {
  const escaped = apiPath instanceof RegExp ? apiPath.source : apiPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^console error: Failed to load resource: the server responded with a status of ${status} .*\\(\\S*/api/${escaped}(\\?\\S*)?\\)$`,
  );
}

/**
 * Throws when a page logged an error the running test did not declare, or a declared error
 * never happened; then starts afresh for the next test. The events of a page arrive a moment
 * after what caused them, so a missing declared error gets a second look.
 */
export async function checkErrors() {
  try {
    const unexpected = () => logged.filter((entry) => !declared.some((d) => d.pattern.test(entry.text)));
    const unseen = () => {
      for (const d of declared) d.seen ||= logged.some((entry) => d.pattern.test(entry.text));
      return declared.filter((d) => !d.seen);
    };
    if (unseen().length) await new Promise((resolve) => setTimeout(resolve, 1000));
    const extra = unexpected().map((entry) => `[${entry.who}] ${entry.text}`);
    assert.deepEqual(extra, [], `the pages logged errors that this test did not expect:\n${extra.join('\n')}`);
    const missing = unseen().map((d) => String(d.pattern));
    assert.deepEqual(missing, [], `errors this test provokes did not happen: ${missing.join(', ')}`);
  } finally {
    logged = [];
    declared = [];
  }
}

// A safety net for tests that don't go through `steps`: they are checked after they end.
afterEach(checkErrors);

/** A new page of its own (separate cookies), logged out, with its errors watched. */
export async function newPage(browser, who, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  watchErrors(page, who);
  return page;
}

/** A logged-in page of its own (separate cookies) for `username`. */
export async function loginAs(browser, username, viewport = { width: 1280, height: 900 }) {
  const page = await newPage(browser, username, viewport);
  await page.goto('/login');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'My courses' }).waitFor();
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Calls the API from the page, with its session and CSRF cookie, and returns status and body. */
export async function apiFrom(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='))?.split('=')[1] ?? '';
      const response = await fetch(`/api/${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: response.status, json };
    },
    { method, path, body },
  );
}

export const file = (name, text) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });

/** The reasons shown under the form field labelled `label` (what its aria-describedby names). */
export async function fieldErrors(page, label) {
  const field = page.getByLabel(label, { exact: true });
  await field.and(page.locator('[aria-invalid="true"]')).waitFor();
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = [];
  for (const id of ids) {
    const element = page.locator(`[id="${id}"].field-errors`);
    if (await element.count()) texts.push((await element.innerText()).trim());
  }
  return texts.join('\n');
}

/**
 * Scenarios that build on each other: after a failure, later steps are skipped, not timed out.
 * Each step fails on an error page or an undeclared page error; a failed step saves a
 * screenshot of every open page.
 */
export function steps(getBrowser) {
  let broken = false;
  return function step(name, body) {
    test(name, async (t) => {
      if (broken) return t.skip('an earlier step failed');
      const browser = getBrowser();
      try {
        await body();
        for (const context of browser.contexts()) {
          for (const page of context.pages()) {
            const crashed = await page.getByText('Something went wrong on this page').count();
            assert.equal(crashed, 0, `an unexpected error was shown on ${page.url()}`);
          }
        }
        await checkErrors();
      } catch (error) {
        broken = true;
        let n = 0;
        for (const context of browser.contexts()) {
          for (const page of context.pages()) await screenshot(page, `FAILED-${++n}`).catch(() => undefined);
        }
        throw error;
      }
    });
  };
}
