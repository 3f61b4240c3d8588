import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";

test.beforeEach(async ({ page }) => {
  await signedInUser(page, "desk");
});

test("the dashboard shows the studio frame and its status", async ({ page }) => {
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome to your studio" })).toBeVisible();
  await expect(page.getByTestId("studio-status")).toContainText("Offline renderer");
  await expect(page.getByTestId("studio-status")).toContainText("Local disk");
  const sidebar = page.getByRole("navigation", { name: "Studio", exact: true });
  await expect(sidebar.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
  await expect(sidebar.getByText("Soon").first()).toBeVisible();
});

test("the sidebar collapses to icons and expands again", async ({ page }) => {
  await page.goto("/dashboard");
  await waitForHydration(page);
  const collapse = page.getByRole("button", { name: "Collapse sidebar" });
  await collapse.click();
  await expect(page.locator("aside.sidebar")).toHaveAttribute("data-collapsed", "true");
  await expect(page.getByRole("navigation", { name: "Studio", exact: true }).getByText("My images")).toHaveCount(0);
  await page.getByRole("button", { name: "Expand sidebar" }).click();
  await expect(page.locator("aside.sidebar")).toHaveAttribute("data-collapsed", "false");
});

test("the sidebar is reachable from the keyboard", async ({ page }) => {
  await page.goto("/dashboard");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("#main")).toBeFocused();
});
