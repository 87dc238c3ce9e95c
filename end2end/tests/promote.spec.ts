// Promotions by drag and drop, in a real browser with a real mouse (page.mouse down / move /
// up): an app dragged out of staging's tree onto the prod tab opens the promotion dialog with
// the diff it would commit and the approvals it needs, and confirming creates the request; the
// keyboard paths ("Promote to…" in the app panel, "Promote" in the compare view and the
// matrix); the version matrix marks what is due and links each cell to its node. Runs last:
// staging's checkout-service runs a tag prod does not (the requests tests put it there).
import { test, expect, Page, Locator } from '@playwright/test';
import { failOnConsoleErrors, open } from './support';

failOnConsoleErrors();

async function centre(locator: Locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function drag(page: Page, from: Locator, to: Locator) {
  const a = await centre(from);
  const b = await centre(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + 15, a.y + 5, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 10 });
}

test('an app dragged from staging onto the prod tab asks for its promotion', async ({ page }) => {
  await open(page, '/env/staging?node=app:checkout-service');
  const row = page.locator('.tree-row[data-node-id="app:checkout-service"]');
  await expect(row).toBeVisible();
  const prod = page.locator('[data-testid=env-tab][data-drop-env=prod]');
  await drag(page, row, prod);
  await expect(page.getByTestId('drag-preview')).toHaveText('Promote checkout-service from staging to prod');
  await expect(prod).toHaveClass(/drop-over/);
  await expect(page.getByTestId('drag-announcement')).toHaveText(
    'Release to promote checkout-service from staging to prod.',
  );
  await page.mouse.up();

  const dialog = page.getByRole('dialog', { name: 'Promote checkout-service from staging to prod' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('radio', { name: /^Promote from/ })).toBeChecked();
  await expect(dialog.locator('#deploy-promote')).toHaveValue('staging');
  // The diff it would commit, planned on prod's branch head, and the approvals it needs.
  const diff = dialog.getByTestId('change-diff');
  await expect(diff.locator('.diff-line[data-tag=add]').first()).toBeVisible();
  await expect(diff.locator('.diff-line[data-tag=del]').first()).toBeVisible();
  await expect(dialog.getByTestId('deploy-approvals')).toContainText(/approval/);
  await dialog.getByLabel(/Reason/).fill('Promote what staging runs');
  await dialog.getByTestId('deploy-submit').click();
  await expect(page).toHaveURL(/\/requests\/dr-/);
  await expect(page.locator('body')).toContainText('Promote what staging runs');
});

test('the keyboard path: "Promote to…" in the app panel opens the same dialog', async ({ page }) => {
  await open(page, '/env/dev?node=app:checkout-service');
  const menu = page.getByTestId('promote-to');
  await menu.focus();
  await menu.selectOption('staging');
  const dialog = page.getByRole('dialog', { name: 'Promote checkout-service from dev to staging' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('change-preview')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('an app dragged across the compare view, or its Promote button, asks for a promotion', async ({ page }) => {
  await open(page, '/compare?from=staging&to=prod');
  const row = page.locator('.compare-app[data-app="checkout-service"] > .compare-row');
  const to = page.locator('[data-testid=compare-column][data-drop-env=prod]');
  await drag(page, row, to);
  await expect(to).toHaveClass(/drop-over/);
  await page.mouse.up();
  const dialog = page.getByRole('dialog', { name: 'Promote checkout-service from staging to prod' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await row.getByTestId('compare-promote').click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
});

test('the version matrix marks what is due, links to the tree and promotes by drag', async ({ page }) => {
  await open(page, '/matrix');
  const row = page.locator('[data-testid=matrix-row][data-app="checkout-service"]');
  const cell = (env: string) => row.locator(`[data-testid=matrix-cell][data-env=${env}]`);
  await expect(cell('prod')).toHaveAttribute('data-mark', 'pending');
  await expect(cell('prod').getByTestId('matrix-promote')).toHaveAccessibleName(
    'Promote checkout-service from staging to prod',
  );

  // Filters live in the URL.
  await page.getByTestId('matrix-search').fill('checkout');
  await expect(page).toHaveURL(/\/matrix\?q=checkout/);
  await expect(page.getByTestId('matrix-row')).not.toHaveCount(0);
  for (const name of await page.getByTestId('matrix-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-app')))) {
    expect(name).toContain('checkout');
  }

  // A drag of staging's cell onto prod's column: the promotion dialog.
  const prodHead = page.locator('th[data-drop-env=prod]');
  await drag(page, cell('staging'), prodHead);
  await expect(prodHead).toHaveClass(/drop-over/);
  await page.mouse.up();
  const dialog = page.getByRole('dialog', { name: 'Promote checkout-service from staging to prod' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // A click on a cell's version opens that node in the tree.
  await cell('dev').locator('.matrix-version').click();
  await expect(page).toHaveURL(/\/env\/dev\?node=app(:|%3A)checkout-service/);
  await expect(page.locator('.tree-row[data-node-id="app:checkout-service"]')).toHaveAttribute('aria-selected', 'true');
});
