import { defineConfig, devices } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// scripts/test builds the studio and the emulator, and names the binaries, the site and free ports.
const port = Number(process.env.ATELIER_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const emulatorPort = Number(process.env.ATELIER_E2E_EMULATOR_PORT ?? 3102);
const emulatorURL = (process.env.ATELIER_E2E_EMULATOR_URL ??= `http://127.0.0.1:${emulatorPort}`);
const falStudioPort = Number(process.env.ATELIER_E2E_FAL_PORT ?? 3104);
const falStudioURL = (process.env.ATELIER_E2E_FAL_STUDIO_URL ??= `http://127.0.0.1:${falStudioPort}`);
const studioBinary = process.env.ATELIER_E2E_BIN ?? "../target/debug/atelier";
const FAL_KEY = "e2e-emulator-key";
// The config is evaluated in the runner and again in every worker: create the data dirs once and pass
// them on through the environment, so tests can read the studios' outboxes.
const dataDir = (process.env.ATELIER_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "atelier-e2e-")));
const falDataDir = (process.env.ATELIER_E2E_FAL_DATA_DIR ??= mkdtempSync(join(tmpdir(), "atelier-e2e-fal-")));

function studioEnv(studioPort: number, studioDataDir: string): Record<string, string> {
  const url = `http://127.0.0.1:${studioPort}`;
  return {
    ATELIER_ADDRESS: `127.0.0.1:${studioPort}`,
    ATELIER_PUBLIC_URL: url,
    ATELIER_DATA_DIR: studioDataDir,
    LEPTOS_SITE_ROOT: process.env.ATELIER_E2E_SITE_ROOT ?? "../target/site",
    ATELIER_LOG: "warn",
    // Every test signs up from 127.0.0.1: one address standing for many users.
    ATELIER_RATE_LIMIT_SCALE: "50",
  };
}
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
  timeout: 60_000,
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
  webServer: [
    {
      command: `${studioBinary} serve`,
      url: `${baseURL}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: studioEnv(port, dataDir),
    },
    // The fal.ai emulator, and a second studio that talks to it as if it were fal.ai.
    {
      command: `${process.env.ATELIER_E2E_EMULATOR_BIN ?? "../target/debug/fal-emulator"} --listen 127.0.0.1:${emulatorPort} --key ${FAL_KEY}`,
      url: `${emulatorURL}/_emulator/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
    },
    {
      command: `${studioBinary} serve`,
      url: `${falStudioURL}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        ...studioEnv(falStudioPort, falDataDir),
        FAL_KEY,
        ATELIER_FAL_QUEUE_URL: `${emulatorURL}/queue`,
        ATELIER_FAL_SYNC_URL: `${emulatorURL}/sync`,
        ATELIER_FAL_REST_URL: `${emulatorURL}/rest`,
        ATELIER_FAL_JWKS_URL: `${emulatorURL}/rest/.well-known/jwks.json`,
      },
    },
  ],
});
