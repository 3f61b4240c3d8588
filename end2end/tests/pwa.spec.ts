import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";

test("the manifest describes an installable app", async ({ request }) => {
  const response = await request.get("/manifest.webmanifest");
  expect(response.ok()).toBe(true);
  const manifest = await response.json();
  expect(manifest.display).toBe("standalone");
  expect(manifest.start_url).toBeTruthy();
  expect(manifest.theme_color).toBeTruthy();
  expect(manifest.background_color).toBeTruthy();
  const icons: { sizes: string; purpose?: string; src: string; type: string }[] = manifest.icons;
  for (const size of ["192x192", "512x512"]) {
    expect(icons.some((i) => i.sizes === size && (i.purpose ?? "any").includes("any"))).toBe(true);
    expect(icons.some((i) => i.sizes === size && i.purpose?.includes("maskable"))).toBe(true);
  }
  for (const icon of icons) {
    const image = await request.get(icon.src);
    expect(image.ok(), icon.src).toBe(true);
    expect(image.headers()["content-type"]).toContain(icon.type);
  }
});

test("the service worker registers and the studio works offline", async ({ page, context }) => {
  await signedInUser(page, "offline");
  await page.goto("/");
  await waitForHydration(page);
  const script = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
  expect(script).toMatch(/\/sw\.js$/);
  // Visit a page once with the worker in control, so it is cached.
  await page.reload();
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome to your studio" })).toBeVisible();

  await context.setOffline(true);
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome to your studio" })).toBeVisible();
  await page.goto("/never-visited");
  await expect(page.getByRole("heading", { name: /offline/i })).toBeVisible();
  await context.setOffline(false);
});
