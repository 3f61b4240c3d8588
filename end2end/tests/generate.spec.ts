import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";

test("four sketches are queued, show their progress live, and land as images that survive a reload", async ({ page }) => {
  test.slow();
  await signedInUser(page, "generate");
  await page.goto("/generate");
  await waitForHydration(page);
  await expect(page.getByTestId("results-empty")).toBeVisible();
  await expect(page.locator("#model")).toHaveValue("atelier/sketch");

  // Mistakes are flagged where they are, before anything is sent.
  await page.getByTestId("generate").click();
  await expect(page.getByText("Prompt is required.")).toBeVisible();
  await page.getByLabel("Prompt", { exact: true }).fill("a lighthouse at dusk, warm light");
  await expect(page.getByText("Prompt is required.")).toHaveCount(0);
  await expect(page.getByTestId("prompt-count")).toContainText("32 / 2000");
  await page.getByLabel("Images", { exact: true }).fill("9");
  await expect(page.locator('[data-param="num_images"]').getByRole("alert")).toContainText("between 1 and 4");
  await page.getByLabel("Images", { exact: true }).fill("4");
  await expect(page.locator('[data-param="num_images"]').getByRole("alert")).toHaveCount(0);
  // Large and slow enough that the reload below lands while the renderer is still drawing.
  await page.getByRole("button", { name: "Custom" }).click();
  await page.getByLabel("Width").fill("2048");
  await page.getByLabel("Height").fill("2048");
  await page.getByText("Advanced settings").click();
  await page.getByLabel("Steps", { exact: true }).fill("50");
  await expect(page.getByTestId("cost")).toContainText("free");

  // Ctrl+Enter in the prompt box generates.
  await page.getByLabel("Prompt", { exact: true }).press("Control+Enter");
  const card = page.locator("article[data-job]").first();
  await expect(card).toBeVisible();
  await expect(card.getByRole("progressbar")).toBeVisible({ timeout: 30_000 });
  await expect(card.getByTestId("progress")).toContainText(/step \d+ of \d+/);

  // A reload mid-generation loses nothing: the job comes back running, with the progress it had made.
  await page.reload();
  await waitForHydration(page);
  await expect(card).toHaveAttribute("data-status", "running");
  const progress = await card.getByRole("progressbar").evaluate((bar: HTMLProgressElement) => bar.value);
  expect(progress).toBeGreaterThan(0);
  await expect(card.locator("[data-image] img")).toHaveCount(4, { timeout: 90_000 });
  await expect(card).toHaveAttribute("data-status", "completed");
  for (const image of await card.locator("[data-image] img").all()) {
    await expect(image).toHaveJSProperty("complete", true);
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  }

  // Nothing is lost on a reload: the job and its images come back.
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator("article[data-job]").first().locator("[data-image] img")).toHaveCount(4);
});

test("remix puts a job's settings back in the form, and regenerate runs them again", async ({ page }) => {
  await signedInUser(page, "remix");
  await page.goto("/generate");
  await waitForHydration(page);
  await page.getByLabel("Prompt", { exact: true }).fill("a quiet harbour");
  await page.getByLabel("Images", { exact: true }).fill("2");
  await page.getByTestId("generate").click();
  const card = page.locator("article[data-job]").first();
  await expect(card.locator("[data-image] img")).toHaveCount(2, { timeout: 45_000 });

  await page.getByLabel("Prompt", { exact: true }).fill("something else");
  await page.getByLabel("Images", { exact: true }).fill("1");
  await card.getByRole("button", { name: "Remix" }).click();
  await expect(page.getByLabel("Prompt", { exact: true })).toHaveValue("a quiet harbour");
  await expect(page.getByLabel("Images", { exact: true })).toHaveValue("2");

  await card.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.locator("article[data-job]")).toHaveCount(2);
  await expect(page.locator("article[data-job]").first().locator("[data-image] img")).toHaveCount(2, { timeout: 45_000 });

  // Each result has quick actions: two variations of one image become a third job with two images.
  const newest = page.locator("article[data-job]").first();
  await newest.locator("[data-image]").first().hover();
  await newest.getByRole("button", { name: "Vary" }).first().click();
  await expect(page.locator("article[data-job]")).toHaveCount(3);
  await expect(page.locator("article[data-job]").first().locator("[data-image] img")).toHaveCount(2, { timeout: 45_000 });

  // "Add to queue" queues behind; the form keeps its settings for the next one.
  await page.getByTestId("add-to-queue").click();
  await expect(page.locator("article[data-job]")).toHaveCount(4);
  await expect(page.getByLabel("Prompt", { exact: true })).toHaveValue("a quiet harbour");
});

test("presets keep the form's settings under a name: save, apply, rename, delete", async ({ page }) => {
  await signedInUser(page, "presets");
  await page.goto("/generate");
  await waitForHydration(page);
  const prompt = page.getByLabel("Prompt", { exact: true });
  const images = page.getByLabel("Images", { exact: true });
  const options = page.locator("#preset-choice option");
  await page.getByTestId("presets").locator("summary").click();
  await expect(options).toHaveText(["No presets yet"]);

  await prompt.fill("moody portrait, rim light");
  await images.fill("3");
  await page.getByLabel("Name", { exact: true }).fill("Moody");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(options).toHaveText(["Choose a preset…", "Moody"]);

  await prompt.fill("something else");
  await images.fill("1");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(prompt).toHaveValue("moody portrait, rim light");
  await expect(images).toHaveValue("3");

  await page.getByLabel("Name", { exact: true }).fill("Moody portraits");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(options).toHaveText(["Choose a preset…", "Moody portraits"]);

  await page.reload();
  await waitForHydration(page);
  await page.getByTestId("presets").locator("summary").click();
  await page.locator("#preset-choice").selectOption({ label: "Moody portraits" });
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("button", { name: "Delete it" }).click();
  await expect(options).toHaveText(["No presets yet"]);
});
