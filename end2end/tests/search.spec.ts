// The search boxes before and after hydration, the top bar's drop-down of best matches and
// the `?` shortcuts panel. The WASM is held back by the test (page.route) to reproduce a slow
// network: what is typed before the page is live must survive and be searched for.
import { test, expect, Page } from '@playwright/test';
import { failOnConsoleErrors, open } from './support';

failOnConsoleErrors();

/** Holds every request for the WASM bundle until the returned function is called. */
async function holdWasm(page: Page): Promise<() => void> {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/pkg/*.wasm', async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

test('keys typed before the page hydrates are kept and searched for', async ({ page }) => {
  const release = await holdWasm(page);
  await page.goto('/');
  const box = page.locator('#catalog-search');
  await expect(box).toBeVisible();
  // `/` focuses search before the WASM has loaded, then typing at 80 ms per key.
  await page.keyboard.press('/');
  await expect(box).toBeFocused();
  await page.keyboard.type('checkout', { delay: 80 });
  await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
  release();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(box).toHaveValue('checkout');
  await expect(page).toHaveURL(/\/\?q=checkout$|\/catalog\?q=checkout$/);
  await expect(page.locator('.result-list .result').first()).toContainText(/checkout/i);
});

test('Enter before hydration runs the search as a plain form', async ({ page }) => {
  const release = await holdWasm(page);
  await page.goto('/env');
  const box = page.locator('#global-search');
  await expect(box).toBeVisible();
  await page.keyboard.press('/');
  await expect(box).toBeFocused();
  await page.keyboard.type('payment');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/catalog\?q=payment$/);
  await expect(page.locator('#catalog-search')).toHaveValue('payment');
  release();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.locator('#catalog-search')).toHaveValue('payment');
});

test('the top bar shows the best matches while typing, from the keyboard', async ({ page }) => {
  await open(page, '/env');
  const box = page.getByRole('combobox', { name: 'Search everything' });
  await box.focus();
  await box.pressSequentially('checkout', { delay: 30 });
  const list = page.getByTestId('quick-results');
  await expect(list).toBeVisible();
  await expect(box).toHaveAttribute('aria-expanded', 'true');
  const first = list.getByRole('option').first();
  await expect(first).toContainText(/checkout/i);
  await page.keyboard.press('ArrowDown');
  await expect(first).toHaveAttribute('aria-selected', 'true');
  const id = await first.getAttribute('id');
  await expect(box).toHaveAttribute('aria-activedescendant', id!);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/catalog\/[a-z]+\/[a-z0-9-]+\/[a-z0-9-]*checkout/);

  // Escape closes the list first, then leaves the box.
  await box.focus();
  await box.fill('');
  await box.pressSequentially('pay', { delay: 30 });
  await expect(page.getByTestId('quick-results')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('quick-results')).toHaveCount(0);
  await expect(box).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(box).not.toBeFocused();
});

test('? shows every keyboard shortcut, Escape closes it', async ({ page }) => {
  await open(page, '/env');
  await page.locator('h1').click();
  await page.keyboard.press('?');
  const panel = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('Focus search');
  await expect(panel).toContainText('Promote to…');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
});
