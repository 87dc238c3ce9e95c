import { defineConfig } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';

// Three servers, each fresh:
// - Atrium as the embedded default (demo sign-in, demo catalog in local Git repos, SQLite),
//   the debug build from .ci/build, on its own port;
// - a real OpenID provider (npm oidc-provider, end2end/oidc/provider.mjs) on loopback;
// - a second Atrium configured for single sign-on against that provider.
const target = process.env.CARGO_TARGET_DIR ?? path.resolve(__dirname, '../target');
const port = Number(process.env.ATRIUM_E2E_PORT ?? 3210);
const ssoPort = Number(process.env.ATRIUM_E2E_SSO_PORT ?? 3212);
const idpPort = Number(process.env.ATRIUM_E2E_IDP_PORT ?? 3299);
// This file is evaluated again in every worker: reuse the directories the first run made.
const dataDir =
  process.env.ATRIUM_E2E_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-e2e-'));
const ssoDataDir =
  process.env.ATRIUM_E2E_SSO_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-e2e-sso-'));
process.env.ATRIUM_E2E_DATA_DIR = dataDir;
process.env.ATRIUM_E2E_SSO_DATA_DIR = ssoDataDir;
process.env.ATRIUM_E2E_SSO_URL = `http://127.0.0.1:${ssoPort}`;
process.env.ATRIUM_E2E_IDP_URL = `http://127.0.0.1:${idpPort}`;

const atriumEnv = (listen: number, data: string) => ({
  ATRIUM_LISTEN: `127.0.0.1:${listen}`,
  // Quick passes and rollouts on the simulated clusters, so live changes show within seconds.
  ATRIUM_ENGINE__INTERVAL_SECS: '1',
  ATRIUM_ENGINE__SIM_ROLLOUT_MS: '1500',
  ATRIUM_DATA_DIR: data,
  ATRIUM_SITE_ROOT: `${target}/site`,
  RUST_LOG: 'warn',
});

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  // A hung run fails with what was running instead of eating the CI budget.
  globalTimeout: 20 * 60_000,
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
  projects: [
    // Signs in once through the demo sign-in page and saves the cookie for the catalog tests.
    { name: 'setup', testMatch: /demo\.setup\.ts/ },
    {
      name: 'catalog',
      testMatch: /(catalog|custom_kind|env|search)\.spec\.ts/,
      dependencies: ['setup'],
      use: { storageState: path.join(dataDir, 'demo-admin.json') },
    },
    { name: 'auth', testMatch: /auth\.spec\.ts/ },
    // The deploy tests sign in per test, each user in a browser context of their own, and
    // change what runs: after the catalog tests, which expect the demo as seeded. The requests
    // tests deploy to prod, which the deploy tests expect untouched ("Running in" names the
    // seed commit's author), so they come last (run one alone with `--project=NAME --no-deps`).
    { name: 'deploy', testMatch: /deploy\.spec\.ts/, dependencies: ['catalog'] },
    { name: 'requests', testMatch: /requests\.spec\.ts/, dependencies: ['deploy'] },
    {
      name: 'compare',
      testMatch: /compare\.spec\.ts/,
      dependencies: ['requests'],
      use: { storageState: path.join(dataDir, 'demo-admin.json') },
    },
    // Promotions by drag and drop create requests: after everything that reads versions.
    {
      name: 'promote',
      testMatch: /promote\.spec\.ts/,
      dependencies: ['compare'],
      use: { storageState: path.join(dataDir, 'demo-admin.json') },
    },
  ],
  webServer: [
    {
      command: `${target}/debug/atrium serve`,
      url: `http://127.0.0.1:${port}/readyz`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: atriumEnv(port, dataDir),
    },
    {
      command: 'node oidc/provider.mjs',
      url: `http://127.0.0.1:${idpPort}/.well-known/openid-configuration`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        OIDC_PORT: String(idpPort),
        OIDC_REDIRECT_URIS: `http://127.0.0.1:${ssoPort}/auth/callback`,
      },
    },
    {
      command: `${target}/debug/atrium serve`,
      url: `http://127.0.0.1:${ssoPort}/readyz`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        ...atriumEnv(ssoPort, ssoDataDir),
        ATRIUM_AUTH__OIDC__ISSUER: `http://127.0.0.1:${idpPort}`,
        ATRIUM_AUTH__OIDC__CLIENT_ID: 'atrium',
        ATRIUM_AUTH__OIDC__CLIENT_SECRET: 'atrium-test-secret',
        ATRIUM_AUTH__OIDC__REDIRECT_URL: `http://127.0.0.1:${ssoPort}/auth/callback`,
      },
    },
  ],
});
