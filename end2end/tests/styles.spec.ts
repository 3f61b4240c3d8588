import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";

const CINEMATIC = "cinematic still, dramatic lighting, shallow depth of field, film grain";

test("a style preset adds its words to the prompt, and remix picks the style again", async ({ page }) => {
  await signedInUser(page, "styles");
  await page.goto("/generate");
  await waitForHydration(page);
  const prompt = page.getByLabel("Prompt", { exact: true });
  const styles = page.getByTestId("styles");
  await prompt.fill("a red fox");
  await expect(styles.getByRole("radio", { name: "None" })).toBeChecked();

  await styles.getByText("Cinematic", { exact: true }).click();
  await expect(styles.getByRole("radio", { name: "Cinematic" })).toBeChecked();
  await expect(page.getByTestId("style-words")).toContainText(CINEMATIC);
  // The count is of what the model gets, the style's words included.
  await expect(page.getByTestId("prompt-count")).toContainText(`${`a red fox, ${CINEMATIC}`.length} / 2000`);

  // The chips are one radio group: the arrow keys move through them.
  await styles.getByRole("radio", { name: "Cinematic" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(styles.getByRole("radio", { name: "Anime" })).toBeChecked();
  await page.keyboard.press("ArrowLeft");
  await expect(styles.getByRole("radio", { name: "Cinematic" })).toBeChecked();

  await page.getByTestId("generate").click();
  const card = page.locator("article[data-job]").first();
  await expect(card).toContainText(`a red fox, ${CINEMATIC}`);
  await expect(card.locator("[data-image] img")).toHaveCount(1, { timeout: 45_000 });

  // Remix splits the prompt back into the user's words and the style.
  await styles.getByText("None", { exact: true }).click();
  await prompt.fill("something else");
  await card.getByRole("button", { name: "Remix" }).click();
  await expect(prompt).toHaveValue("a red fox");
  await expect(styles.getByRole("radio", { name: "Cinematic" })).toBeChecked();
});
