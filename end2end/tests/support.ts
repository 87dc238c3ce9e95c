// Shared by the browser tests: fail a test on any console error or uncaught exception, and
// open a page only once the WASM has hydrated it (an Effect marks <body>).
import { test, expect, Page } from '@playwright/test';

export function failOnConsoleErrors() {
  let problems: string[] = [];
  test.beforeEach(async ({ page }) => {
    problems = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  });
  test.afterEach(() => {
    expect(problems, 'no console errors or uncaught exceptions').toEqual([]);
  });
}

export async function open(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}
