import { defineConfig } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';

// The server under test: the debug build from .ci/build, with a fresh data dir (demo catalog
// in local Git repos, SQLite) on its own port.
const target = process.env.CARGO_TARGET_DIR ?? path.resolve(__dirname, '../target');
const port = Number(process.env.ATRIUM_E2E_PORT ?? 3210);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-e2e-'));
process.env.ATRIUM_E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `${target}/debug/atrium serve`,
    url: `http://127.0.0.1:${port}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      ATRIUM_LISTEN: `127.0.0.1:${port}`,
      ATRIUM_DATA_DIR: dataDir,
      ATRIUM_SITE_ROOT: `${target}/site`,
      RUST_LOG: 'warn',
    },
  },
});
