import { expect, type Locator, type Page } from "@playwright/test";
import { waitForHydration } from "./fixtures";

/// On /generate: one Atelier Sketch of `side`×`side` pixels from `prompt`; resolves to its first image
/// once it has landed (a link to the image's page).
export async function generateSketch(page: Page, prompt: string, side: number): Promise<Locator> {
  await page.goto("/generate");
  await waitForHydration(page);
  await page.getByLabel("Prompt", { exact: true }).fill(prompt);
  await page.getByRole("button", { name: "Custom" }).click();
  await page.getByLabel("Width").fill(`${side}`);
  await page.getByLabel("Height").fill(`${side}`);
  await page.getByTestId("generate").click();
  const image = page.locator("article[data-job] [data-image]").first();
  await expect(image.locator("img")).toBeVisible({ timeout: 45_000 });
  return image;
}
