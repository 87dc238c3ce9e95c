// Deploys from the UI in a real browser, each demo user in a context of their own: Amara asks
// for checkout-service in staging (no approval there) from the tree's app panel, the version
// changes live with lineage naming her request, the history lists it, and "Roll back to this"
// brings the earlier version back. The dialog's keyboard behaviour and refusals; personal API
// tokens created, used and revoked; the freeze switch of an admin.
import { test, expect, Browser, Page } from '@playwright/test';
import { failOnConsoleErrors } from './support';

failOnConsoleErrors();

/** Like support's `open`, with room for a fresh context compiling the debug WASM on a busy
 *  machine (each user here has a context of their own, so nothing is cached). */
async function open(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });
}

const APP_URL = '/env/staging?node=app:checkout-service';

async function signIn(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await expect(page).not.toHaveURL(/\/login/);
  return page;
}

/** Console problems of pages made here are not seen by `failOnConsoleErrors` (its `page`).
 *  A request the server refuses on purpose (400) is logged by Chromium; that is no problem. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 400/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

const panel = (page: Page) => page.getByTestId('node-panel');
const versionIn = (page: Page) => panel(page).getByTestId('running-version');
const dialog = (page: Page) => page.getByRole('dialog');

async function openAppPanel(page: Page) {
  await open(page, APP_URL);
  await expect(panel(page)).toBeVisible();
  await expect(versionIn(page)).toBeVisible({ timeout: 20_000 });
}

/** Asks for a deploy of `version` (a listed one when `pick`, else typed) with a reason. */
async function deploy(page: Page, version: string, pick: boolean): Promise<string> {
  await panel(page).getByTestId('deploy-open').click();
  const d = dialog(page);
  await expect(d).toBeVisible();
  await expect(d.getByTestId('what-happens')).toBeVisible();
  if (pick) {
    await d.getByRole('radio', { name: new RegExp(`${version.replace(/\./g, '\\.')} — runs in dev`) }).check();
  } else {
    await d.getByLabel('Or type a version').fill(version);
  }
  await expect(d.getByTestId('deploy-next-version')).toHaveText(version);
  await d.getByLabel(/Reason/).fill(`Ship ${version} to staging`);
  await d.getByTestId('deploy-submit').click();
  await expect(page).toHaveURL(/\/requests\/dr-[0-9a-f]+-[0-9a-f]+$/);
  return page.url().split('/requests/')[1];
}

async function waitForVersion(page: Page, version: string) {
  await openAppPanel(page);
  await expect(versionIn(page)).toHaveText(version, { timeout: 20_000 });
}

test('a developer deploys to staging from the tree, sees where it came from, and rolls back', async ({ browser }) => {
  test.setTimeout(150_000);
  const page = await signIn(browser, 'Amara Okafor');
  const problems = watch(page);
  await openAppPanel(page);
  const before = (await versionIn(page).innerText()).trim();

  // The dialog: focus moves in, Escape closes it and focus returns to "Deploy…".
  const button = panel(page).getByTestId('deploy-open');
  await button.click();
  const d = dialog(page);
  await expect(d).toBeVisible();
  await expect(d).toHaveAttribute('aria-modal', 'true');
  await expect(page.getByRole('dialog', { name: 'Deploy checkout-service to staging' })).toBeVisible();
  await expect(d.getByTestId('deploy-approvals')).toHaveText(/No approval needed/);
  await expect.poll(() => d.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  // Tab stays inside.
  for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
  await expect.poll(() => d.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(d).toBeHidden();
  await expect(button).toBeFocused();
  await expect(panel(page)).toBeVisible();

  // No reason, no submit; a tag the server refuses shows next to the version field.
  await page.keyboard.press('Enter');
  await expect(d).toBeVisible();
  const devVersion = d.getByRole('radio', { name: /runs in dev/ });
  await expect(devVersion).toBeVisible();
  const target = (await devVersion.getAttribute('value'))!;
  expect(target).not.toEqual(before);
  await devVersion.check();
  await expect(d.getByTestId('deploy-submit')).toBeDisabled();
  await d.getByLabel('Or type a version').fill('not a tag!');
  await d.getByLabel(/Reason/).fill('a broken tag');
  await d.getByTestId('deploy-submit').click();
  await expect(d.locator('#deploy-tag-error')).toContainText('is not an image tag');
  await expect(d.getByLabel('Or type a version')).toHaveAttribute('aria-invalid', 'true');
  await d.getByRole('button', { name: 'Cancel' }).click();
  await expect(d).toBeHidden();

  // Deploy dev's version: the request page, then the version moves and lineage names it.
  const first = await deploy(page, target, true);
  await waitForVersion(page, target);
  const lineage = panel(page).getByTestId('lineage');
  await expect(lineage.getByTestId('lineage-request')).toHaveText(first, { timeout: 15_000 });
  await expect(lineage.getByTestId('lineage-requester')).toContainText('Amara Okafor');
  await expect(lineage).toContainText(`Ship ${target} to staging`);
  const history = panel(page).getByTestId('deploy-history');
  await expect(history.getByTestId('history-entry').first()).toHaveAttribute('data-state', 'healthy', { timeout: 15_000 });
  await expect(history.getByTestId('history-entry').first()).toContainText(`${before} → ${target}`);

  // A second deploy, so the first is an earlier healthy entry to roll back to.
  const second = await deploy(page, '1.99.1', false);
  expect(second).not.toEqual(first);
  await waitForVersion(page, '1.99.1');
  const entries = history.getByTestId('history-entry');
  await expect(entries.first()).toHaveAttribute('data-state', 'healthy', { timeout: 15_000 });
  const earlier = entries.filter({ hasText: first });
  await earlier.getByTestId('history-rollback').click();
  await expect(page.getByRole('dialog', { name: 'Roll back checkout-service in staging' })).toBeVisible();
  await expect(d.getByLabel(/Reason/)).toHaveValue(`Roll back to ${target}`);
  await expect(d.getByTestId('deploy-next-version')).toHaveText(target);
  await d.getByTestId('deploy-submit').click();
  await expect(page).toHaveURL(/\/requests\/dr-/);
  await waitForVersion(page, target);
  await expect(entries.first()).toContainText(`1.99.1 → ${target} (rollback)`, { timeout: 15_000 });
  expect(problems).toEqual([]);
  await page.context().close();
});

test('the "Running in" card shows who deployed each version and opens the same dialog', async ({ browser }) => {
  test.setTimeout(60_000);
  const page = await signIn(browser, 'Amara Okafor');
  const problems = watch(page);
  await open(page, '/catalog/component/default/checkout-service');
  const rows = page.getByTestId('running-in').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  const prod = rows.nth(2);
  // Nothing deployed prod through Atrium: the line names the commit's author.
  await expect(prod.getByTestId('lineage-line')).toContainText('Atrium demo');
  await prod.getByTestId('deploy-open').click();
  const d = page.getByRole('dialog', { name: 'Deploy checkout-service to prod' });
  await expect(d).toBeVisible();
  await expect(d.getByTestId('deploy-approvals')).toHaveText('Needs 1 approval (not by you)');
  await expect(d.getByRole('radio', { name: /^Promote from staging/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(d).toBeHidden();
  await expect(prod.getByTestId('deploy-open')).toBeFocused();
  expect(problems).toEqual([]);
  await page.context().close();
});

test('a personal API token is shown once, works as a bearer token, and stops when revoked', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const page = await signIn(browser, 'Amara Okafor');
  const problems = watch(page);
  await open(page, '/catalog');
  await page.getByTestId('user-menu').click();
  await page.getByTestId('api-tokens-open').click();
  const d = page.getByRole('dialog', { name: 'API tokens' });
  await expect(d).toBeVisible();
  await expect(d.getByLabel('Name')).toBeFocused();
  const name = `ci-${Date.now()}`;
  await d.getByLabel('Name').fill(name);
  await d.getByLabel('Expires after').selectOption({ label: '30 days' });
  await d.getByRole('button', { name: 'Create token' }).click();
  const created = d.getByTestId('new-token');
  await expect(created).toContainText('Copy it now: it will not be shown again');
  await expect(created).toContainText('curl -H "Authorization: Bearer $TOKEN"');
  await expect(created).toContainText('/api/v1/requests');
  const secret = await d.getByTestId('new-token-secret').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  const row = d.locator(`[data-testid=token-row][data-name="${name}"]`);
  await expect(row).toBeVisible();

  // From the test, without the browser's session: the token alone.
  const call = () =>
    fetch(`${baseURL}/api/v1/environments`, { headers: { Authorization: `Bearer ${secret}` } });
  expect((await call()).status).toBe(200);

  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await row.getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(row).toBeHidden();
  expect((await call()).status).toBe(401);

  // Closed with Escape: focus goes back to the menu's button; reopened, the secret is gone.
  await page.keyboard.press('Escape');
  await expect(d).toBeHidden();
  await expect(page.getByTestId('user-menu')).toBeFocused();
  await page.getByTestId('user-menu').click();
  await page.getByTestId('api-tokens-open').click();
  await expect(d.getByTestId('new-token')).toHaveCount(0);
  expect(problems).toEqual([]);
  await page.context().close();
});

test('an admin freezes deploys to an environment and unfreezes them; others see the freeze', async ({ browser }) => {
  test.setTimeout(90_000);
  const admin = await signIn(browser, 'Jonas Becker');
  const problems = watch(admin);
  await open(admin, '/env/dev');
  await admin.getByRole('button', { name: 'Freeze deploys…' }).click();
  const d = admin.getByRole('dialog', { name: 'Freeze deploys to dev' });
  await expect(d).toBeVisible();
  await expect(d.getByTestId('freeze-submit')).toBeDisabled();
  await d.getByLabel(/Reason/).fill('Release rehearsal');
  await d.getByTestId('freeze-submit').click();
  const banner = admin.getByTestId('freeze-banner');
  await expect(banner).toContainText('Deploys to dev are frozen by Jonas Becker: Release rehearsal');
  await expect(admin.getByRole('button', { name: 'Freeze deploys…' })).toHaveCount(0);

  // Everyone sees it: the list's card, and the deploy dialog says requests would wait.
  const dev = await signIn(browser, 'Amara Okafor');
  problems.push(...watch(dev));
  await open(dev, '/env');
  await expect(dev.locator('[data-env=dev] [data-testid=freeze-note]')).toContainText('Release rehearsal');
  await open(dev, '/env/dev?node=app:checkout-service');
  await expect(dev.getByTestId('freeze-banner')).toBeVisible();
  await expect(dev.getByTestId('freeze-banner').getByRole('button')).toHaveCount(0);
  await dev.getByTestId('node-panel').getByTestId('deploy-open').click();
  await expect(dev.getByTestId('deploy-waiting')).toContainText('frozen');
  await dev.keyboard.press('Escape');

  await banner.getByRole('button', { name: 'Unfreeze' }).click();
  await expect(banner).toBeHidden();
  await expect(admin.getByRole('button', { name: 'Freeze deploys…' })).toBeVisible();
  expect(problems).toEqual([]);
  await admin.context().close();
  await dev.context().close();
});
