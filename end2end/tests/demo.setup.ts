// Signs in through the demo sign-in page as the platform admin and saves the session cookie
// for the catalog tests (which are about the catalog, not about permissions).
import { test as setup, expect } from '@playwright/test';
import * as path from 'path';

setup('demo sign-in as the platform admin', async ({ page }) => {
  await page.goto('/catalog');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole('button', { name: 'Sign in as Jonas Becker' }).click();
  await expect(page).toHaveURL(/\/catalog$/);
  await page.context().storageState({
    path: path.join(process.env.ATRIUM_E2E_DATA_DIR!, 'demo-admin.json'),
  });
});
