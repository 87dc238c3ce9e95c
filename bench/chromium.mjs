// What the Chromium benchmarks share: Debian's chromium through the end2end Playwright
// install, and a browser context signed in as the demo user.
import { createRequire } from 'module';
import * as path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../end2end/package.json'));
const { chromium } = require('@playwright/test');

// Launches headless chromium and returns { browser, context }, the context signed in at `base`.
export async function signedIn(base) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const signIn = await context.request.post(`${base}/auth/demo`, {
    form: { user: 'jonas.becker', next: '/' },
    headers: { Origin: base },
    maxRedirects: 0,
  });
  if (signIn.status() !== 303) throw new Error(`demo sign-in: ${signIn.status()}`);
  return { browser, context };
}
