import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";
import { generateSketch } from "./generating";
import type { Locator, Page } from "@playwright/test";

/// Unfolds a side panel of the generate page (they start folded unless the screen is very wide).
async function unfold(panel: Locator) {
  if (!(await panel.evaluate((details: HTMLDetailsElement) => details.open))) {
    await panel.locator("summary").click();
  }
  await expect(panel).toHaveAttribute("open", "");
}

/// The first job card as it is now, pinned by its id so newer jobs do not take its place.
async function firstCard(page: Page): Promise<Locator> {
  const id = await page.locator("article[data-job]").first().getAttribute("data-job");
  return page.locator(`article[data-job="${id}"]`);
}

/// Fills the form for a small sketch, so the renderer is quick.
async function describeSketch(page: Page, prompt: string) {
  await page.getByLabel("Prompt", { exact: true }).fill(prompt);
  await page.getByRole("button", { name: "Custom" }).click();
  await page.getByLabel("Width").fill("64");
  await page.getByLabel("Height").fill("64");
}

test("a result's tile: a favourite that survives a reload, and a background removal that lands", async ({ page }) => {
  await signedInUser(page, "panels-tile");
  await generateSketch(page, "a blue kite on a white sky", 128);
  const card = await firstCard(page);
  const tile = card.locator("[data-tile]").first();

  // With a mouse the quick actions wait for hover or focus; on a touch screen they always show.
  const opacity = () => tile.locator(".tile-actions").evaluate((row) => getComputedStyle(row).opacity);
  const finePointer = await page.evaluate(() => matchMedia("(hover: hover) and (pointer: fine)").matches);
  await page.mouse.move(0, 0);
  await expect.poll(opacity).toBe(finePointer ? "0" : "1");
  // They are reachable by keyboard, and show while focused.
  await tile.locator("[data-image]").focus();
  await page.keyboard.press("Tab");
  await expect(tile.getByTestId("favourite")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(tile.getByRole("button", { name: "Vary" })).toBeFocused();
  await expect.poll(opacity).toBe("1");

  // The star flips at once and the studio keeps it.
  const star = tile.getByTestId("favourite");
  await expect(star).toBeEnabled();
  await expect(star).toHaveAttribute("aria-pressed", "false");
  await star.click();
  await expect(star).toHaveAttribute("aria-pressed", "true");
  await page.reload();
  await waitForHydration(page);
  await expect(star).toBeEnabled();
  await expect(star).toHaveAttribute("aria-pressed", "true");

  // Background removal from the tile's menu: a new job, made from this image, that completes.
  await tile.getByRole("button", { name: "More actions" }).click();
  const menu = tile.getByTestId("tile-menu");
  await expect(menu).toBeVisible();
  await expect(menu.getByRole("link", { name: "Inpaint" })).toHaveAttribute("href", /^\/images\/[0-9a-f-]{36}\?edit=inpaint$/);
  await menu.getByRole("button", { name: "Remove background" }).click();
  await expect(menu).toBeHidden();
  await expect(tile.getByRole("status")).toContainText("Background removal queued.");
  await expect(page.locator("article[data-job]")).toHaveCount(2);
  const removal = page.locator("article[data-job]").first();
  await expect(removal).toContainText("atelier/sketch/remove-background");
  await expect(removal).toHaveAttribute("data-status", "completed", { timeout: 45_000 });
  await expect(removal.locator("[data-image] img")).toHaveCount(1);
});

test.describe("when the studio cannot be reached", () => {
  // The browser logs the request it could not send.
  test.use({ allowedConsoleErrors: [/ERR_FAILED/] });

  test("a favourite flips back and says why", async ({ page }) => {
    await signedInUser(page, "panels-offline");
    await generateSketch(page, "a red door in a white wall", 128);
    const star = (await firstCard(page)).locator("[data-tile]").first().getByTestId("favourite");
    await expect(star).toBeEnabled();
    // The request fails a moment after it is sent, so the optimistic star can be seen first.
    await page.route("**/api/set_image_favourite*", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.abort();
    });
    await star.click();
    await expect(star).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByRole("alert").filter({ hasText: "Could not change the favourite" })).toBeVisible();
    await expect(star).toHaveAttribute("aria-pressed", "false");
  });
});

test("history: choosing a past job puts its prompt, model and seed back in the form", async ({ page }) => {
  await signedInUser(page, "panels-history");
  await page.goto("/generate");
  await waitForHydration(page);
  const history = page.getByTestId("history");
  await unfold(history);
  await expect(history.getByTestId("history-empty")).toBeVisible();

  await describeSketch(page, "an orchard in spring");
  await page.getByText("Advanced settings").click();
  await page.getByLabel("Lock").check();
  await page.locator("#param-seed").fill("4242");
  await page.getByTestId("generate").click();
  const past = history.locator("[data-history-job]");
  await expect(past).toHaveCount(1, { timeout: 45_000 });
  await expect(past.first()).toContainText("an orchard in spring");
  await expect(past.first()).toContainText("atelier/sketch");
  await expect(past.first().locator("img")).toHaveJSProperty("complete", true);

  // The form moves on: another model, another prompt, no seed.
  const prompt = page.getByLabel("Prompt", { exact: true });
  await page.locator("#model").selectOption("atelier/sketch/image-to-image");
  await prompt.fill("something else entirely");
  await page.locator("#param-seed").fill("");
  await past.first().click();
  await expect(history.getByTestId("history-status")).toContainText("Settings recalled");
  await expect(page.locator("#model")).toHaveValue("atelier/sketch");
  await expect(prompt).toHaveValue("an orchard in spring");
  await expect(page.locator("#param-seed")).toHaveValue("4242");
  await expect(page.getByLabel("Lock")).toBeChecked();

  // By keyboard too.
  await prompt.fill("changed again");
  await past.first().focus();
  await page.keyboard.press("Enter");
  await expect(prompt).toHaveValue("an orchard in spring");
});

test("queue panel: paused, two jobs are reordered by drag and drop, and run once the queue resumes", async ({ page }) => {
  await signedInUser(page, "panels-queue");
  await page.goto("/generate");
  await waitForHydration(page);
  const panel = page.getByTestId("queue-panel");
  await unfold(panel);
  await expect(panel.getByTestId("queue-panel-idle")).toBeVisible();
  await expect(panel.getByRole("link", { name: "Open the full queue" })).toHaveAttribute("href", "/queue");

  await panel.getByTestId("pause-queue").click();
  await expect(panel.getByTestId("pause-queue")).toHaveAttribute("aria-pressed", "true");
  await expect(panel.getByTestId("queue-summary")).toContainText("paused");
  const waiting = panel.getByTestId("waiting").locator("li");
  const prompts = waiting.locator("p.truncate");
  for (const prompt of ["first in line", "second in line"]) {
    await describeSketch(page, prompt);
    await page.getByTestId("add-to-queue").click();
    await expect(waiting.filter({ hasText: prompt })).toHaveCount(1);
  }
  await expect(prompts).toHaveText(["first in line", "second in line"]);

  await waiting.nth(1).dragTo(waiting.nth(0));
  await expect(prompts).toHaveText(["second in line", "first in line"]);
  // The studio keeps the order.
  await page.reload();
  await waitForHydration(page);
  await unfold(panel);
  await expect(prompts).toHaveText(["second in line", "first in line"]);

  // A job can be held back on its own, and let go again.
  await waiting.filter({ hasText: "first in line" }).getByRole("button", { name: "Pause this job" }).click();
  await expect(waiting.filter({ hasText: "first in line" })).toHaveAttribute("data-status", "paused");
  await waiting.filter({ hasText: "first in line" }).getByRole("button", { name: "Resume this job" }).click();
  await expect(waiting.filter({ hasText: "first in line" })).toHaveAttribute("data-status", "pending");

  await panel.getByTestId("pause-queue").click();
  await expect(panel.getByTestId("pause-queue")).toHaveAttribute("aria-pressed", "false");
  await expect(panel.getByTestId("queue-panel-idle")).toBeVisible({ timeout: 45_000 });
  const history = page.getByTestId("history");
  await unfold(history);
  await expect(history.locator("[data-history-job]")).toHaveCount(2);
  await expect(page.locator('article[data-job][data-status="completed"]')).toHaveCount(2);
});
