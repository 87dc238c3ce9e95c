// Deploy requests in a real browser, with several demo users at once (one browser context
// each): a production deploy that four-eyes keeps its requester from approving, an approver
// who sees it counted in the top bar, approves it from the request page and watches it commit,
// sync and turn healthy without a reload; and a staging deploy of a bad tag that ends Degraded.
import { test, expect, Browser, Page } from '@playwright/test';

let problems: string[] = [];

test.beforeEach(() => {
  problems = [];
});

test.afterEach(() => {
  expect(problems, 'no console errors or uncaught exceptions').toEqual([]);
});

function watch(page: Page, who: string) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${who} console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${who} pageerror: ${err.message}`));
}

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** A fresh browser context signed in through the demo sign-in page, on `/requests`. */
async function signIn(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  watch(page, name);
  await page.goto('/requests');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await expect(page).toHaveURL(/\/requests$/);
  await hydrated(page);
  return page;
}

async function open(page: Page, url: string) {
  await page.goto(url);
  await hydrated(page);
}

/** Asks for a deploy through the server function, as the deploy dialog does. */
async function ask(page: Page, environment: string, app: string, tag: string, reason: string) {
  const response = await page.request.post('/api/deploys/create', {
    data: { new: { environment, app, change: { set_image: { tag } }, reason } },
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(response.status(), await response.text()).toBe(200);
  const view = await response.json();
  return view.id as string;
}

/** Records every state the request page's header shows, from now on. */
async function recordStates(page: Page) {
  await page.evaluate(() => {
    const w = window as any;
    w.__states = [];
    w.__noReload = true;
    const note = () => {
      const state = document.querySelector('[data-testid=request-head]')?.getAttribute('data-state');
      if (state && w.__states[w.__states.length - 1] !== state) w.__states.push(state);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

const step = (page: Page, kind: string) => page.locator(`.step[data-step="${kind}"]`).last();

test('a production deploy: four-eyes, an approval from the request page, then live to healthy', async ({ browser }) => {
  test.setTimeout(90_000);
  const amara = await signIn(browser, 'Amara Okafor');
  // A developer opens on "Mine".
  await expect(amara.locator('.request-tab[aria-current=page]')).toHaveAttribute('data-scope', 'mine');

  const tag = `2.9.${Date.now() % 100_000}`;
  const id = await ask(amara, 'prod', 'checkout-service', tag, 'Fixes the rounding of the checkout total');

  // The requester may not approve her own request, and the page says why.
  await open(amara, `/requests/${id}`);
  const head = amara.getByTestId('request-head');
  await expect(head).toHaveAttribute('data-state', 'pending');
  await expect(head).toContainText(`image ${tag}`);
  await expect(amara.getByTestId('approve')).toBeDisabled();
  await expect(amara.getByTestId('reject')).toBeDisabled();
  await expect(amara.getByTestId('approve-blocked')).toContainText('someone else must approve it (four-eyes)');
  await expect(amara.getByTestId('cancel-request')).toBeEnabled();
  await expect(step(amara, 'approval')).toHaveAttribute('data-status', 'current');
  await expect(step(amara, 'approval')).toHaveAttribute('aria-current', 'step');
  await expect(step(amara, 'health')).toHaveAttribute('data-status', 'upcoming');
  await expect(amara.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
  await recordStates(amara);

  // The approver sees it counted in the top bar and listed under "Awaiting me" (her default).
  const elena = await signIn(browser, 'Elena Petrova');
  await expect(elena.locator('.request-tab[aria-current=page]')).toHaveAttribute('data-scope', 'awaiting');
  const rows = elena.locator('.request-rows > li');
  const row = elena.locator(`.request-row[data-id="${id}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText('checkout-service');
  await expect(row).toContainText('needs 1 approval');
  const awaiting = await rows.count();
  const link = elena.getByTestId('requests-link');
  await expect(link).toHaveAttribute('aria-label', `Requests, ${awaiting} awaiting your approval`);
  await expect(elena.getByTestId('awaiting-badge')).toHaveText(String(awaiting));

  // From the keyboard: the first row, arrows, Enter.
  await rows.first().locator('a').focus();
  for (let i = 0; i < awaiting && !(await row.evaluate((el) => el === document.activeElement)); i++) {
    await elena.keyboard.press('ArrowDown');
  }
  await expect(row).toBeFocused();
  await elena.keyboard.press('Enter');
  await expect(elena).toHaveURL(new RegExp(`/requests/${id}$`));
  await hydrated(elena);

  await recordStates(elena);
  await elena.getByLabel('Comment').fill('Checked the change with the payments team.');
  await elena.getByTestId('approve').click();
  await expect(elena.getByTestId('action-done')).toContainText('Approved');

  // Live, without a reload: committed (with its SHA), syncing, healthy.
  await expect(elena.getByTestId('commit-sha')).toHaveText(/^[0-9a-f]{7}$/, { timeout: 20_000 });
  await expect(elena.getByTestId('request-head')).toHaveAttribute('data-state', 'healthy', { timeout: 30_000 });
  await expect(elena.getByTestId('request-outcome')).toContainText('Deployed: checkout-service is Healthy in prod');
  for (const kind of ['requested', 'decision', 'commit', 'sync', 'health']) {
    await expect(step(elena, kind)).toHaveAttribute('data-status', 'done');
  }
  await expect(step(elena, 'decision')).toContainText('Elena Petrova');
  await expect(step(elena, 'decision')).toContainText('Checked the change with the payments team.');
  await expect(elena.getByTestId('commit-diff')).toContainText(tag);
  await expect(elena.getByTestId('approvals')).toContainText('1 of 1 · Elena Petrova');
  const seen: string[] = await elena.evaluate(() => (window as any).__states);
  expect(seen[0]).toBe('pending');
  expect(seen).toContain('syncing');
  expect(seen[seen.length - 1]).toBe('healthy');
  expect(await elena.evaluate(() => (window as any).__noReload)).toBe(true);

  // The requester's page followed along, and the approver's badge counts one fewer.
  await expect(amara.getByTestId('request-head')).toHaveAttribute('data-state', 'healthy', { timeout: 20_000 });
  expect(await amara.evaluate(() => (window as any).__noReload)).toBe(true);
  await expect(link).toHaveAttribute(
    'aria-label',
    awaiting === 1 ? 'Requests' : `Requests, ${awaiting - 1} awaiting your approval`,
  );
  await elena.context().close();
  await amara.context().close();
});

test('a bad tag in staging needs no approval, ends Degraded, and the page says what to do', async ({ browser }) => {
  test.setTimeout(60_000);
  const amara = await signIn(browser, 'Amara Okafor');
  const tag = `3.0.${Date.now() % 100_000}-bad`;
  const id = await ask(amara, 'staging', 'checkout-service', tag, 'Trying the new image');
  await open(amara, `/requests/${id}`);
  await expect(step(amara, 'approval')).toContainText('No approval needed');
  const head = amara.getByTestId('request-head');
  await expect(head).toHaveAttribute('data-state', 'degraded', { timeout: 30_000 });
  const outcome = amara.getByTestId('request-outcome');
  await expect(outcome).toContainText('Deployed, but checkout-service is Degraded in staging');
  await expect(outcome.getByRole('link', { name: 'open the app in the tree' })).toHaveAttribute(
    'href',
    /\/env\/staging\?node=app(%3A|:)checkout-service/,
  );
  await expect(step(amara, 'health')).toHaveAttribute('data-status', 'failed');
  await expect(step(amara, 'commit')).toHaveAttribute('data-status', 'done');

  // The list says so too, and its filters live in the URL.
  await open(amara, '/requests?scope=all&state=degraded&environment=staging');
  const row = amara.locator(`.request-row[data-id="${id}"]`);
  await expect(row).toHaveAttribute('data-state', 'degraded');
  await expect(row.getByTestId('request-state')).toHaveText('Degraded');
  await expect(amara.locator('#requests-state')).toHaveValue('degraded');
  await amara.locator('#requests-state').selectOption('healthy');
  await expect(amara).toHaveURL(/state=healthy/);
  await expect(row).toHaveCount(0);
  await expect(amara.getByRole('link', { name: 'Clear filters' })).toBeVisible();
  await amara.context().close();
});
