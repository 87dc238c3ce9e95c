// Comparing environments in a real browser: a real mouse drag of one environment card onto
// another (page.mouse down / move / up, not dragTo), Escape cancelling a drag, the keyboard
// path ("Compare with…" on a card, then the tree from the keyboard), a resource's YAML diff,
// and the JSON API. Runs last: dev and staging's checkout-service differ by then whatever the
// deploy tests did (dev runs a newer version than staging ever gets here).
import { test, expect, Page } from '@playwright/test';
import { failOnConsoleErrors, open } from './support';

failOnConsoleErrors();

const card = (page: Page, env: string) => page.locator(`[data-testid=env-card][data-env="${env}"]`);

async function centre(page: Page, env: string) {
  const box = await card(page, env).boundingBox();
  if (!box) throw new Error(`no card for ${env}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

test('dragging one environment onto another compares them, down to the YAML', async ({ page }) => {
  await open(page, '/env');
  const from = await centre(page, 'dev');
  const to = await centre(page, 'staging');
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 20, from.y + 5, { steps: 4 });
  // While dragging: a preview names what is dragged, the other cards are drop targets.
  await expect(page.getByTestId('drag-preview')).toHaveText('Compare dev with…');
  await expect(card(page, 'prod')).toHaveClass(/drop-target/);
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await expect(card(page, 'staging')).toHaveClass(/drop-over/);
  await expect(page.getByTestId('drag-preview')).toHaveText('Compare dev with staging');
  await expect(page.getByTestId('drag-announcement')).toHaveText('Release to compare dev with staging.');
  await page.mouse.up();

  await expect(page).toHaveURL(/\/compare\?from=dev&to=staging$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByTestId('compare-counts')).toContainText(/\d+ differ/);
  // Only differences by default: every row shown differs or is on one side only.
  const apps = page.locator('.compare-app');
  await expect(apps.first()).toBeVisible();
  await expect(page.locator('.compare-app[data-class=same]')).toHaveCount(0);

  const checkout = page.locator('.compare-app[data-app="checkout-service"]');
  await expect(checkout).toHaveAttribute('data-class', 'differs');
  await expect(checkout.locator('.compare-version').first()).toHaveText(/\d+\.\d+\.\d+/);
  await checkout.locator('.compare-row').first().click();
  await expect(checkout).toHaveAttribute('aria-expanded', 'true');
  const deployment = checkout.locator('.compare-resource[data-kind=Deployment]');
  await expect(deployment).toHaveAttribute('data-class', 'differs');
  await deployment.locator('.compare-row').click();
  const diff = deployment.getByTestId('diff');
  await expect(diff.locator('.diff-line[data-tag=del]').filter({ hasText: 'image:' })).toHaveCount(1);
  await expect(diff.locator('.diff-line[data-tag=add]').filter({ hasText: 'image:' })).toHaveCount(1);
  await expect(deployment.locator('.diff-legend')).toContainText('− only in dev');

  // Everything, same apps included, is one switch away and in the URL: as many rows as the
  // counts add up to.
  const counts = await page.locator('[data-testid=compare-counts] strong').allTextContents();
  const total = counts.reduce((sum, n) => sum + Number(n), 0);
  await page.getByTestId('compare-only-differences').uncheck();
  await expect(page).toHaveURL(/all=1/);
  await expect(page.getByTestId('compare-only-differences')).not.toBeChecked();
  await expect(apps).toHaveCount(total);
});

test('Escape cancels a drag, and a drop on nothing does nothing', async ({ page }) => {
  await open(page, '/env');
  const from = await centre(page, 'staging');
  const to = await centre(page, 'prod');
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await expect(card(page, 'prod')).toHaveClass(/drop-over/);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('drag-preview')).toHaveCount(0);
  await expect(card(page, 'prod')).not.toHaveClass(/drop-target/);
  await page.mouse.up();
  await expect(page).toHaveURL(/\/env$/);

  // Dropped back on itself: no compare either.
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 30, from.y + 10, { steps: 4 });
  await page.mouse.move(from.x, from.y, { steps: 4 });
  await page.mouse.up();
  await expect(page).toHaveURL(/\/env(\/staging)?$/);
});

test('the keyboard path: "Compare with…" on a card, then the tree from the keyboard', async ({ page }) => {
  await open(page, '/env');
  const menu = card(page, 'dev').getByLabel('Compare with');
  await menu.focus();
  await menu.selectOption('staging');
  await expect(page).toHaveURL(/\/compare\?from=dev&to=staging$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  const tree = page.getByRole('tree', { name: 'Apps of both environments' });
  const first = tree.locator('[role=treeitem][aria-level="1"]').first();
  await first.focus();
  await page.keyboard.press('ArrowRight');
  await expect(first).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowRight');
  const child = first.locator('[role=treeitem][aria-level="2"]').first();
  await expect(child).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(child).toHaveAttribute('aria-selected', 'true');
  await expect(child.getByTestId('compare-diff')).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(first).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(first).toHaveAttribute('aria-expanded', 'false');

  // A deep link to one app opens it.
  await open(page, '/compare?from=dev&to=staging&app=checkout-service');
  await expect(page.locator('.compare-app')).toHaveCount(1);
  await expect(page.locator('.compare-app[data-app="checkout-service"]')).toHaveAttribute('aria-expanded', 'true');
});

test('the JSON API returns the documented shape', async ({ page }) => {
  await open(page, '/env');
  const response = await page.request.get('/api/v1/compare?from=dev&to=staging');
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.from).toBe('dev');
  expect(body.to).toBe('staging');
  const checkout = body.apps.find((a: any) => a.name === 'checkout-service');
  expect(checkout.status).toBe('differs');
  expect(Object.keys(checkout.from).sort()).toEqual(['health', 'revision', 'sync', 'version']);
  expect(Object.keys(checkout.resources[0]).sort()).toEqual(['apiVersion', 'kind', 'name', 'namespace', 'status']);
  const missing = await page.request.get('/api/v1/compare?from=dev');
  expect(missing.status()).toBe(400);
  expect((await missing.json()).error).toContain('to');
});
