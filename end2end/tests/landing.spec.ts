import { test, expect, waitForHydration } from "./fixtures";

test("landing page renders with JavaScript on", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("From a sentence to a");
  await expect(page).toHaveTitle("Atelier");
  await expect(page.getByRole("heading", { name: "Everything an image studio needs" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Pick the right model for the job" })).toBeVisible();
  await expect(page.locator("#gallery img")).toHaveCount(6);
  await waitForHydration(page);
  const question = page.getByText("Do I need a fal.ai account?");
  await question.click();
  await expect(page.getByText("built-in offline renderer, which makes procedural previews")).toBeVisible();
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("landing page still renders and works", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("From a sentence to a");
    await expect(page.locator("footer")).toContainText("Atelier");
    await page.getByText("Where are my images stored?").click();
    await expect(page.getByText("on its disk by default")).toBeVisible();
    await page.getByRole("link", { name: "Start creating" }).click();
    // The studio is for signed-in users: the server itself redirects, no script needed.
    await expect(page).toHaveURL(/\/login\?next=\/dashboard/);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  });
});

test("theme toggle persists across a reload", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  const html = page.locator("html");
  await expect(html).toHaveAttribute("data-theme", "auto");
  const toggle = page.getByTestId("theme-toggle").first();
  await toggle.click(); // auto -> high contrast
  await toggle.click(); // -> light
  await toggle.click(); // -> dark
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(toggle).toHaveAttribute("aria-label", "Theme: Dark. Switch to Auto");
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe("rgb(15, 23, 42)");

  await page.reload();
  // The server renders the remembered theme, so it is right before any script runs.
  await expect(html).toHaveAttribute("data-theme", "dark");
  await waitForHydration(page);
  await expect(page.getByTestId("theme-toggle").first()).toHaveAttribute("data-theme-current", "dark");
});

test.describe("an unknown address", () => {
  test.use({ allowedConsoleErrors: [/status of 404 .* @ .*\/this\/does\/not\/exist$/] });

  test("shows the not-found page", async ({ page }) => {
  const response = await page.goto("/this/does/not/exist");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page is not in the studio" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL("/");
  });
});
