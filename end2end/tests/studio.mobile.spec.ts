import { test, expect } from "./fixtures";
import { signedInUser } from "./accounts";

test("the mobile menu opens and leads to the dashboard", async ({ page }) => {
  await signedInUser(page, "phone");
  await expect(page.locator("aside.sidebar")).toBeHidden();
  await page.getByRole("button", { name: "Open menu" }).click();
  const menu = page.getByRole("navigation", { name: "Studio (mobile)" });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole("link", { name: "Dashboard" })).toBeVisible();
  await page.getByRole("button", { name: "Close menu" }).click();
  await expect(menu).toBeHidden();
});

test("the landing page fits a phone screen", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
