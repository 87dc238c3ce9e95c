// Sign-in, permissions and the audit trail in a real browser: single sign-on against a real
// OpenID provider (npm oidc-provider on loopback) with an Atrium configured for it, and the
// embedded default's demo sign-in.
import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

const sso = process.env.ATRIUM_E2E_SSO_URL!;
const idp = process.env.ATRIUM_E2E_IDP_URL!;

let problems: string[] = [];

test.beforeEach(async ({ page }) => {
  problems = [];
  page.on('console', (msg) => {
    // Refused server-function calls are answered 401/403 on purpose; Chromium logs those.
    // The provider's own pages (its missing favicon) are not ours to judge.
    const fromIdp = (msg.location().url ?? '').startsWith(idp) || page.url().startsWith(idp);
    if (msg.type() === 'error' && !fromIdp && !/status of 40[13]/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
});

test.afterEach(() => {
  expect(problems, 'no console errors or uncaught exceptions').toEqual([]);
});

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** From any Atrium page through the provider's login form and back. */
async function signInWithSso(page: Page, path: string, user: string, password: string) {
  await page.goto(`${sso}${path}`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.locator('.demo-banner')).toHaveCount(0);
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  await expect(page).toHaveURL(new RegExp(`^${idp}/interaction/`));
  await page.locator('input[name="username"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${sso}${path}`);
  await hydrated(page);
}

async function signOut(page: Page) {
  await page.getByTestId('user-menu').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1/);
  await expect(page.getByRole('status')).toContainText('You are signed out');
}

test('a team developer signs in, is allowed one thing and refused another, signs out', async ({ page }) => {
  await signInWithSso(page, '/catalog/errors', 'alice', 'alice-pw');
  const menu = page.getByTestId('user-menu');
  await expect(menu).toContainText('Alice Okafor');
  await menu.click();
  await expect(page.getByTestId('user-menu-panel')).toContainText('team-payments');
  await page.keyboard.press('Escape');
  // No audit link for a developer.
  await expect(page.locator('.topnav a', { hasText: 'Audit' })).toHaveCount(0);

  // Permitted: refreshing the catalog (developers may).
  await page.getByRole('button', { name: /Refresh now/ }).click();
  await expect(page.locator('.problem')).toHaveCount(0);

  // Refused: the audit trail. The server says no, and the page says so calmly.
  await page.goto(`${sso}/audit`);
  await hydrated(page);
  const refused = page.locator('.problem.forbidden[role=alert]');
  await expect(refused).toContainText("You don't have permission to view the audit trail");
  await expect(refused).toContainText('Alice Okafor may not get audit');
  await expect(page.getByTestId('export-csv')).toHaveCount(0);

  await signOut(page);
  await page.goto(`${sso}/catalog`);
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('an admin opens the audit trail, sees the chain intact and exports CSV', async ({ browser }) => {
  // A fresh context: the provider remembers who signed in last.
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await signInWithSso(page, '/audit', 'admin', 'admin-pw');
  await expect(page.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
  const chain = page.getByTestId('chain-status');
  await expect(chain).toHaveClass(/chain-ok/);
  await expect(chain).toContainText(/Chain intact: \d+ records? verified/);
  // The earlier developer's refusal and both sign-ins are on record.
  await expect(page.locator('.audit-table tr[data-seq]').first()).toBeVisible();
  await expect(page.locator('.outcome[data-outcome="denied"]').first()).toBeVisible();

  await page.getByLabel('Action').fill('login');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/action=login/);
  const actions = page.locator('.audit-table tr[data-seq] td:nth-child(4)');
  await expect(actions.first()).toContainText('login');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  const file = await download.path();
  const csv = fs.readFileSync(file!, 'utf8');
  expect(csv.split('\n')[0]).toBe(
    'seq,at,actor_subject,actor_name,actor_groups,action,object,outcome,details,request_id,client_ip,prev_hash,hash',
  );
  expect(csv).toContain(',admin,Ada Admin,');
  expect(csv).not.toContain(',logout,'); // the filter applies to the export too
  await context.close();
});

test('a forged sign-in answer and a tampered cookie are refused with clear messages', async ({ page, context }) => {
  await page.goto(`${sso}/auth/callback?code=stolen&state=forged`);
  await expect(page).toHaveURL(/\/login\?error=state/);
  await expect(page.locator('.login-notice[role=alert]')).toContainText(/expired or (was )?already used/i);

  await context.addCookies([{ name: 'atrium_session', value: 'forged-token', url: sso }]);
  await page.goto(`${sso}/catalog`);
  await expect(page).toHaveURL(/\/login\?next=%2Fcatalog&error=expired|\/login\?next=\/catalog&error=expired/);
  await expect(page.locator('.login-notice[role=alert]')).toBeVisible();
  const cookies = await context.cookies(sso);
  expect(cookies.find((c) => c.name === 'atrium_session')).toBeUndefined();
});

test('the embedded default offers demo sign-in with a visible banner', async ({ page }) => {
  await page.goto('/catalog');
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.locator('.demo-banner')).toContainText('Demo sign-in');
  await expect(page.locator('form[action="/auth/demo"]')).toHaveCount(4);
  await page.getByRole('button', { name: 'Sign in as Sofia Lindqvist' }).click();
  await expect(page).toHaveURL(/\/catalog$/);
  await hydrated(page);
  await expect(page.getByTestId('user-menu')).toContainText('Sofia Lindqvist');
  await expect(page.locator('.demo-pill')).toContainText('Demo sign-in');
  await signOut(page);
});
