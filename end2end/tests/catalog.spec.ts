// Browser tests for the catalog UI: search-as-you-type without reloads, facets, entity pages and
// their relation links, server-rendered deep links, the `/` shortcut, the errors page, and no
// console errors anywhere. Runs against the demo catalog (Brightcart, the generated demo, plus
// what the Backstage examples' all.yaml reaches).
import { test, expect, Page } from '@playwright/test';
import { failOnConsoleErrors, open } from './support';

failOnConsoleErrors();


const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search the catalog' });
const results = (page: Page) => page.locator('.result-list .result');
const resultCount = (page: Page) => page.locator('.result-count strong');

async function count(page: Page): Promise<number> {
  const text = (await resultCount(page).textContent()) ?? '';
  return Number(text.replace(/[^0-9]/g, ''));
}

test('typing narrows the results without reloading the page', async ({ page }) => {
  await open(page, '/catalog');
  await expect(results(page).first()).toBeVisible();
  const before = await count(page);
  expect(before).toBeGreaterThan(10);

  await page.evaluate(() => ((window as any).__noReload = 1));
  await searchBox(page).pressSequentially('payment', { delay: 30 });

  await expect(page).toHaveURL(/\/catalog\?q=payment$/);
  await expect(results(page).filter({ hasText: 'payment-gateway' })).toHaveCount(1);
  await expect.poll(() => count(page)).toBeLessThan(before);
  // Highlighted match in the name.
  await expect(results(page).first().locator('mark').first()).toBeVisible();
  // Still the same document: no full reload happened.
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(1);

  // A typo still finds it, and the count line is a live region.
  await searchBox(page).fill('paymnet');
  await expect(page).toHaveURL(/q=paymnet/);
  await expect(results(page).filter({ hasText: 'payment-gateway' })).toHaveCount(1);
  await expect(page.locator('.result-count')).toHaveAttribute('aria-live', 'polite');
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(1);
});

test('nonsense shows the empty state that teaches the syntax', async ({ page }) => {
  await open(page, '/catalog');
  await searchBox(page).fill('zzqxjv');
  await expect(page.locator('.empty-state')).toContainText('No entities match');
  await expect(page.locator('.empty-state')).toContainText('paymnet');
  // The examples are links that run the search.
  await page.locator('.empty-state a', { hasText: 'checkout api' }).click();
  await expect(page).toHaveURL(/q=checkout%20api/);
  await expect(searchBox(page)).toHaveValue('checkout api');
  await expect(results(page).first()).toBeVisible();
});

test('a facet narrows the results and can be cleared', async ({ page }) => {
  await open(page, '/catalog?q=pay');
  await page.evaluate(() => ((window as any).__noReload = 1));
  const before = await count(page);

  const owner = page.locator('fieldset[data-facet="owner"]');
  await owner.getByLabel(/team-payments/).check();
  await expect(page).toHaveURL(/owner=team-payments/);
  await expect(page).toHaveURL(/q=pay/);
  await expect(owner.getByLabel(/team-payments/)).toBeChecked();
  await expect.poll(() => count(page)).toBeLessThanOrEqual(before);
  for (const row of await results(page).all()) {
    await expect(row.locator('.owner')).toContainText('team-payments');
  }

  // A second facet value of another facet ANDs; the chip and "Clear filters" remove them.
  await expect(page.locator('.chip', { hasText: 'team-payments' })).toBeVisible();
  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/catalog\?q=pay$/);
  await expect(owner.getByLabel(/team-payments/)).not.toBeChecked();
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(1);
});

test('arrow keys move through results and Enter opens one', async ({ page }) => {
  await open(page, '/catalog?q=payment-gateway');
  await searchBox(page).focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#hit-0')).toBeFocused();
  if ((await results(page).count()) > 1) {
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('#hit-1')).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(page.locator('#hit-0')).toBeFocused();
  }
  // Up from the first row returns to the search box.
  await page.keyboard.press('ArrowUp');
  await expect(searchBox(page)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/catalog\/component\/default\/payment-gateway$/);
  await expect(page.getByRole('heading', { level: 1, name: 'payment-gateway' })).toBeVisible();
});

test('entity page shows details and relation links navigate', async ({ page }) => {
  await open(page, '/catalog/component/default/payment-gateway');
  await page.evaluate(() => ((window as any).__noReload = 1));
  await expect(page.getByRole('heading', { level: 1, name: 'payment-gateway' })).toBeVisible();
  await expect(page.locator('.entity-header .kind-badge')).toHaveText(/component/i);
  await expect(page.locator('.facts')).toContainText('production');
  await expect(page.locator('.facts a.ref', { hasText: 'team-payments' })).toBeVisible();
  // External links open safely in a new tab.
  for (const link of await page.locator('.entity-links a').all()) {
    await expect(link).toHaveAttribute('rel', /noopener/);
    await expect(link).toHaveAttribute('target', '_blank');
  }
  // Annotations as a key/value table.
  await expect(page.locator('table.kv').first()).toBeVisible();

  // Follow "Provides APIs" to the API, client-side; it shows its definition.
  await page.locator('.relations a.ref', { hasText: /^payment-api$/ }).first().click();
  await expect(page).toHaveURL(/\/catalog\/api\/default\/payment-api$/);
  await expect(page.getByRole('heading', { level: 1, name: 'payment-api' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'API definition' })).toBeVisible();
  await expect(page.locator('pre.code')).not.toBeEmpty();
  // And back along "Provided by".
  await page.locator('.relations a.ref', { hasText: /^payment-gateway$/ }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'payment-gateway' })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(1);
});

test('Backstage example entities render', async ({ page }) => {
  await open(page, '/catalog/component/default/artist-lookup');
  await expect(page.getByRole('heading', { level: 1, name: 'artist-lookup' })).toBeVisible();
  await expect(page.locator('.entity-header .kind-badge')).toHaveText(/component/i);
  await expect(page.locator('.facts')).toContainText('experimental');

  await open(page, '/catalog/api/default/petstore');
  await expect(page.getByRole('heading', { name: 'API definition' })).toBeVisible();
  await expect(page.locator('pre.code')).toContainText('openapi');
});

test('an unknown entity says so and links back', async ({ page }) => {
  await open(page, '/catalog/component/default/does-not-exist');
  await expect(page.getByRole('heading', { name: 'Not in the catalog' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the catalog' }).click();
  await expect(page).toHaveURL(/\/catalog$/);
});

test('deep links render on the server and survive a reload', async ({ page, request }) => {
  const url = '/catalog?q=pay&kind=component&owner=team-payments';
  // The HTML before any script runs already has the filtered results.
  const html = await (await request.get(url)).text();
  expect(html).toContain('payment-gateway');
  expect(html).toMatch(/class="result-list"/);
  expect(html).toMatch(/value="pay"/);

  await open(page, url);
  await expect(searchBox(page)).toHaveValue('pay');
  await expect(page.locator('fieldset[data-facet="kind"]').getByLabel(/^component/)).toBeChecked();
  await expect(page.locator('fieldset[data-facet="owner"]').getByLabel(/team-payments/)).toBeChecked();
  await expect(results(page).filter({ hasText: 'payment-gateway' })).toHaveCount(1);

  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(searchBox(page)).toHaveValue('pay');
  await expect(results(page).filter({ hasText: 'payment-gateway' })).toHaveCount(1);
});

test('entity pages render on the server too', async ({ request }) => {
  const html = await (await request.get('/catalog/component/default/payment-gateway')).text();
  expect(html).toContain('Talks to card processors');
  expect(html).toContain('class="entity-name"');
});

test('"/" focuses the page search, else the top bar search', async ({ page }) => {
  await open(page, '/catalog');
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  await expect(searchBox(page)).toBeFocused();
  await expect(searchBox(page)).toHaveValue('');

  await open(page, '/catalog/errors');
  await page.keyboard.press('/');
  const global = page.getByRole('combobox', { name: 'Search everything' });
  await expect(global).toBeFocused();
  await global.fill('checkout');
  await global.press('Enter');
  await expect(page).toHaveURL(/\/catalog\?q=checkout$/);
  await expect(searchBox(page)).toHaveValue('checkout');
  await expect(results(page).filter({ hasText: 'checkout-service' }).first()).toBeVisible();
});

test('the errors page lists problems and refreshes', async ({ page }) => {
  await open(page, '/catalog/errors');
  await expect(page.getByRole('heading', { level: 1, name: 'Catalog errors' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sources' })).toBeVisible();
  // Either grouped errors or the empty state.
  await expect(page.locator('.error-group, .empty-state.ok').first()).toBeVisible();

  const button = page.getByRole('button', { name: /Refresh now|Refreshing/ });
  await button.click();
  await expect(page.getByRole('button', { name: 'Refresh now' })).toBeEnabled({ timeout: 20_000 });
  await expect(page.locator('.refresh-message')).toContainText('Refreshed');
});

test('the theme toggle switches and is remembered', async ({ page }) => {
  await open(page, '/catalog');
  const toggle = page.getByRole('button', { name: /light and dark/ });
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? '');
  await toggle.click();
  const first = await theme();
  expect(['light', 'dark']).toContain(first);
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  expect(await theme()).toBe(first);
  await page.getByRole('button', { name: /light and dark/ }).click();
  expect(await theme()).not.toBe(first);
});
