// A custom kind admitted by [[catalog.rules]] (the demo's AiResource, as Backstage's own demo
// catalog declares) is found by search and its kind facet, and shown on the same entity page
// as the built-in kinds: kind badge, facts, generic relations that navigate both ways.
import { test, expect } from '@playwright/test';
import { failOnConsoleErrors, open } from './support';

failOnConsoleErrors();

test('a custom kind is searchable, faceted and has an entity page', async ({ page }) => {
  await open(page, '/catalog?kind=airesource');
  const results = page.locator('.result-list .result');
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText('fraud-scoring-model');
  await expect(results.first().locator('.kind-badge')).toHaveText(/AiResource/i);

  await results.first().locator('a').first().click();
  await expect(page).toHaveURL(/\/catalog\/airesource\/default\/fraud-scoring-model$/);
  await expect(
    page.getByRole('heading', { level: 1, name: 'fraud-scoring-model' }),
  ).toBeVisible();
  await expect(page.locator('.entity-header .kind-badge')).toHaveText(/AiResource/i);
  await expect(page.locator('.facts')).toContainText('experimental');
  await expect(page.locator('.facts a.ref', { hasText: 'team-payments' })).toBeVisible();

  // spec.dependencyOf relates it to the component, which shows it back.
  await page.locator('.relations a.ref', { hasText: /^payment-gateway$/ }).first().click();
  await expect(page).toHaveURL(/\/catalog\/component\/default\/payment-gateway$/);
  await expect(
    page.locator('.relations a.ref', { hasText: /fraud-scoring-model/ }).first(),
  ).toBeVisible();
});

test('a custom kind entity page renders on the server', async ({ request }) => {
  const response = await request.get('/catalog/airesource/default/fraud-scoring-model');
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain('Scores each payment for fraud');
});
