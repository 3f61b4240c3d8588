import { execFileSync } from "node:child_process";
import { test, expect, waitForHydration } from "./fixtures";
import { PASSWORD, newEmail, signIn, signedInUser } from "./accounts";

test("the models page shows the catalogue, offline models labelled as not AI", async ({ page }) => {
  await signedInUser(page, "models");
  const sidebar = page.getByRole("navigation", { name: "Studio", exact: true });
  if (await sidebar.isVisible()) {
    await sidebar.getByRole("link", { name: "Models" }).click();
  } else {
    await page.getByRole("button", { name: "Open menu" }).click();
    await page.getByRole("navigation", { name: "Studio (mobile)" }).getByRole("link", { name: "Models" }).click();
  }
  await expect(page.getByRole("heading", { name: "Models", level: 1 })).toBeVisible();

  const sketch = page.locator('[data-model="atelier/sketch"]');
  await expect(sketch).toContainText("Offline preview · not AI");
  await expect(sketch).toContainText("Free");

  const dev = page.locator('[data-model="fal-ai/flux/dev"]');
  await expect(dev.getByTestId("needs-key")).toContainText("FAL_KEY");
  await expect(dev.getByRole("img", { name: /Speed: \d of 5/ })).toBeVisible();
  await waitForHydration(page);
  await dev.getByText(/^Parameters \(\d+\)$/).click();
  await expect(dev.getByText("num_inference_steps")).toBeVisible();
});

test("an administrator switches a model off for everyone and on again", async ({ page }) => {
  const email = newEmail("root");
  // Administrators are made from the command line, against the running studio's data.
  execFileSync(process.env.ATELIER_E2E_BIN ?? "../target/debug/atelier", ["admin", "create", "--email", email, "--password-stdin"], {
    input: `${PASSWORD}\n`,
    env: { ...process.env, ATELIER_DATA_DIR: process.env.ATELIER_E2E_DATA_DIR, ATELIER_LOG: "error" },
  });
  await signIn(page, email);
  await expect(page.getByRole("heading", { name: "Welcome to your studio" })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("link", { name: "Admin · Models" }).click();

  const row = page.locator('tr[data-model="fal-ai/aura-flow"]');
  await expect(row).toContainText("On");
  await waitForHydration(page);
  await row.getByRole("button", { name: /Switch off/ }).click();
  await expect(page.getByText("AuraFlow is switched off.")).toBeVisible();
  await expect(row.getByRole("cell", { name: "Off" })).toBeVisible();

  await page.goto("/models");
  await expect(page.locator('[data-model="fal-ai/aura-flow"]')).toContainText("Switched off");

  await page.goto("/admin/models");
  await waitForHydration(page);
  await page.locator('tr[data-model="fal-ai/aura-flow"]').getByRole("button", { name: /Switch on/ }).click();
  await expect(page.getByText("AuraFlow is switched on.")).toBeVisible();
});

test("the admin page refuses people who are not administrators", async ({ page }) => {
  await signedInUser(page, "nosy");
  await page.goto("/admin/models");
  await expect(page.getByText("This page is for administrators.")).toBeVisible();
});
