// Shared helpers for the end-to-end tests: Debian's Chromium through playwright-core.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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

/** A logged-in page of its own (separate cookies) for `username`. */
export async function loginAs(browser, username, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${username}] page error:`, error.message));
  page.on('console', (msg) => {
    if ((msg.type() === 'error' || msg.type() === 'warning') && !msg.text().startsWith('Failed to load resource')) console.error(`[${username}] console ${msg.type()}:`, msg.text());
  });
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
