import { defineConfig, devices } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// scripts/test builds the studio and names the binary, the site and a free port.
const port = Number(process.env.ATELIER_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The config is evaluated in the runner and again in every worker: create the data dir once and pass
// it on through the environment, so tests can read the studio's outbox.
const dataDir = (process.env.ATELIER_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "atelier-e2e-")));
const chromium = process.env.ATELIER_CHROMIUM ?? "/usr/bin/chromium";

const launchOptions = {
  executablePath: chromium,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  // One retry in CI: a test that only passes the second time is still reported as flaky.
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions,
  },
  projects: [
    {
      name: "desktop",
      testIgnore: /\.mobile\.spec\.ts$/,
      use: { ...devices["Desktop Chrome"], launchOptions },
    },
    {
      name: "mobile",
      testIgnore: /\.desktop\.spec\.ts$/,
      use: { ...devices["Pixel 7"], launchOptions },
    },
  ],
  webServer: {
    command: `${process.env.ATELIER_E2E_BIN ?? "../target/debug/atelier"} serve`,
    url: `${baseURL}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      ATELIER_ADDRESS: `127.0.0.1:${port}`,
      ATELIER_PUBLIC_URL: baseURL,
      ATELIER_DATA_DIR: dataDir,
      LEPTOS_SITE_ROOT: process.env.ATELIER_E2E_SITE_ROOT ?? "../target/site",
      ATELIER_LOG: "warn",
      // Every test signs up from 127.0.0.1: one address standing for many users.
      ATELIER_RATE_LIMIT_SCALE: "50",
    },
  },
});
