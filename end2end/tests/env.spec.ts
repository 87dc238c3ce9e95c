// The environment tree in a real browser: the demo's prod App of Apps on its simulated cluster,
// a nested app expanded, filters, a resource diff, a deep link, and a status that changes live
// when a bad image tag is committed to the prod repo (no reload).
import { test, expect, Page } from '@playwright/test';
import { failOnConsoleErrors, open } from './support';
import { execFileSync } from 'child_process';
import * as path from 'path';

const target = process.env.CARGO_TARGET_DIR ?? path.resolve(__dirname, '../../target');

failOnConsoleErrors();

const row = (page: Page, name: string, kind = 'Application') =>
  page.locator(`[role=treeitem][data-name="${name}"][data-kind="${kind}"]`);

test('environments list the promotion path on simulated clusters', async ({ page }) => {
  await open(page, '/env');
  const cards = page.locator('[data-testid=env-card]');
  await expect(cards).toHaveCount(3);
  await expect(cards.nth(0)).toHaveAttribute('data-env', 'dev');
  await expect(cards.nth(2)).toHaveAttribute('data-env', 'prod');
  await expect(page.locator('[data-env=prod] [data-testid=production-badge]')).toBeVisible();
  await expect(page.locator('[data-env=prod] [data-testid=simulated-cluster]')).toContainText(/simulated cluster/i);
});

test('prod tree: nested app, filters, resource diff, deep link', async ({ page }) => {
  await open(page, '/env/prod');
  const tree = page.getByRole('tree', { name: 'Applications and resources of prod' });
  await expect(tree).toBeVisible();
  await expect(row(page, 'root')).toBeVisible();
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');

  // The nested App of Apps: a filter shows the match with its ancestors, expanded.
  await page.locator('#catalog-search').fill('metrics-gateway');
  await expect(row(page, 'platform')).toHaveAttribute('aria-expanded', 'true');
  await expect(row(page, 'metrics-gateway')).toHaveAttribute('aria-level', '3');
  await page.locator('#catalog-search').fill('');

  // Only problems: prod's manual apps wait for a person, so they are OutOfSync.
  await page.getByLabel('Only problems').check();
  await expect(page).toHaveURL(/problems=1/);
  await expect(row(page, 'checkout-service')).toBeVisible();
  await page.getByLabel('Only problems').uncheck();

  // Filter by name, open a resource and look at its diff (not applied yet: all desired).
  await page.locator('#catalog-search').fill('cart-service');
  const cart = row(page, 'cart-service');
  await expect(cart).toBeVisible();
  if ((await cart.getAttribute('aria-expanded')) !== 'true') {
    await cart.locator('[data-testid=tree-toggle]').click();
  }
  const deployment = row(page, 'cart-service', 'Deployment');
  await deployment.click();
  const panel = page.getByTestId('node-panel');
  await expect(panel).toBeVisible();
  await page.getByRole('tab', { name: 'Diff' }).click();
  await expect(panel.locator('.diff-line[data-tag=add]').first()).toBeVisible();
  await page.getByRole('tab', { name: 'Desired' }).click();
  await expect(panel).toContainText('kind: Deployment');

  // The URL reproduces the view: reload it.
  await expect(page).toHaveURL(/node=/);
  const url = page.url();
  await open(page, url);
  await expect(page.getByTestId('node-panel')).toBeVisible();
  await expect(row(page, 'cart-service', 'Deployment')).toHaveAttribute('aria-selected', 'true');
});

test('the tree works from the keyboard, and End reaches a row far below', async ({ page }) => {
  await open(page, '/env/dev');
  await expect(page.getByRole('tree')).not.toHaveAttribute('aria-busy', 'true');
  const focused = page.locator('[role=treeitem]:focus');
  // Tab from the toolbar lands on the first row.
  await page.getByRole('button', { name: 'Collapse all' }).focus();
  await page.keyboard.press('Tab');
  await expect(focused).toHaveAttribute('data-name', 'root');
  await page.keyboard.press('ArrowDown');
  await expect(focused).toHaveAttribute('aria-level', '2');
  const child = await focused.getAttribute('data-name');
  expect(child).toBeTruthy();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(focused).toHaveAttribute('aria-expanded', 'false');
  await expect(focused).toHaveAttribute('data-name', child!);
  await page.keyboard.press('ArrowLeft');
  await expect(focused).toHaveAttribute('data-name', 'root');
  // The last row is below the fold: End scrolls the virtualised tree to it and focuses it.
  await page.keyboard.press('End');
  await expect(focused).toHaveAttribute('aria-level', /[23]/);
  await expect.poll(() => page.locator('.tree-scroll').evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  await page.keyboard.press('Home');
  await expect(focused).toHaveAttribute('data-name', 'root');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-panel')).toContainText(child!);
  await expect(page).toHaveURL(/node=app/);
});

test('a bad image tag committed to Git turns the app Degraded without a reload', async ({ page }) => {
  await open(page, '/env/prod');
  await page.evaluate(() => ((window as any).__noReload = true));
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
  await page.locator('#catalog-search').fill('metrics-gateway');
  const gateway = row(page, 'metrics-gateway');
  await expect(gateway).toBeVisible();
  await expect(gateway).not.toHaveAttribute('aria-label', /Degraded/);

  // The test helper commits to the demo prod repo, as a developer's push would.
  execFileSync(`${target}/debug/atrium`, ['demo', 'set-image', '--env', 'prod', '--app', 'metrics-gateway', '--tag', '9.9.9-bad'], {
    env: { ...process.env, ATRIUM_DATA_DIR: process.env.ATRIUM_E2E_DATA_DIR! },
  });
  // metrics-gateway is automated in prod: the engine syncs it, the rollout fails.
  await expect(gateway).toHaveAttribute('aria-label', /Degraded/, { timeout: 25_000 });
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
});

test('a component page shows where it runs and links into each tree', async ({ page }) => {
  await open(page, '/catalog/component/default/checkout-service');
  const running = page.getByTestId('running-in');
  await expect(running.getByRole('heading', { name: 'Running in' })).toBeVisible();
  const rows = running.locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toHaveAttribute('data-env', 'dev');
  await expect(rows.nth(2)).toHaveAttribute('data-env', 'prod');
  await expect(rows.nth(2).getByTestId('production-badge')).toBeVisible();
  await expect(running).toContainText('argocd/app-name: checkout-service');
  // Versions differ along the promotion path.
  const dev = await rows.nth(0).locator('td code').first().innerText();
  const prod = await rows.nth(2).locator('td code').first().innerText();
  expect(dev).not.toEqual(prod);

  await rows.nth(2).getByRole('link', { name: 'checkout-service' }).click();
  await expect(page).toHaveURL(/\/env\/prod\?node=app(%3A|:)checkout-service/);
  await expect(page.getByTestId('node-panel')).toContainText('checkout-service');
  await expect(row(page, 'checkout-service')).toHaveAttribute('aria-selected', 'true');
});
