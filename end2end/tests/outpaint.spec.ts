import AxeBuilder from "@axe-core/playwright";
import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";
import { generateSketch } from "./generating";

test("extending an image to the right makes a wider child that knows where it came from", async ({ page }) => {
  await signedInUser(page, "outpaint");
  await (await generateSketch(page, "a lighthouse on a cliff", 128)).click();
  await expect(page).toHaveURL(/\/images\/[0-9a-f-]{36}$/);
  await waitForHydration(page);
  await expect(page.getByTestId("facts")).toContainText("128 × 128 px");

  await page.getByRole("button", { name: "Extend canvas" }).click();
  const panel = page.getByTestId("outpaint");
  await expect(panel.getByRole("heading", { name: "Extend the canvas" })).toBeFocused();
  await expect(panel.getByLabel("What the new area should show")).toHaveValue("a lighthouse on a cliff");

  // With no side chosen there is nothing to send.
  const submit = panel.getByTestId("outpaint-submit");
  await panel.getByRole("checkbox", { name: "Right", exact: true }).uncheck();
  await expect(panel.getByTestId("outpaint-size")).toHaveText("Choose at least one side to extend.");
  await expect(submit).toBeDisabled();

  await panel.getByRole("checkbox", { name: "Right", exact: true }).check();
  await panel.getByRole("radio", { name: "64 px" }).check();
  await expect(panel.getByTestId("outpaint-size")).toHaveText("128 × 128 px becomes 192 × 128 px.");
  await expect(panel.getByTestId("outpaint-preview")).toHaveAttribute("aria-label", /inside the extended canvas, 192 × 128 px/);
  await expect(submit).toBeEnabled();
  await submit.click();
  await expect(panel.getByText("Queued.")).toBeVisible();
  // Typing on while the job runs: its image arriving does not rebuild the page under the user.
  await panel.getByLabel("What the new area should show").fill("a lighthouse, and more of the sea");

  const children = page.getByTestId("children").locator("[data-image]");
  await expect(children).toHaveCount(1, { timeout: 45_000 });
  await expect(panel.getByLabel("What the new area should show")).toHaveValue("a lighthouse, and more of the sea");
  await expect(panel.getByText("Queued.")).toBeVisible();
  await children.first().click();
  await expect(page.getByTestId("facts")).toContainText("192 × 128 px");
  await expect(page.getByTestId("facts")).toContainText("atelier/sketch/outpaint");
  await expect(page.getByTestId("parent").locator("[data-image]")).toHaveCount(1);
  await expect(page.getByTestId("outpaint")).toHaveCount(0);
});

test("?edit=outpaint and ?edit=inpaint open their editors, which work from the keyboard and are labelled", async ({ page }) => {
  await signedInUser(page, "outpaint-keys");
  const href = (await (await generateSketch(page, "a quiet bay at noon", 128)).getAttribute("href"))!;

  await page.goto(`${href}?edit=outpaint`);
  await waitForHydration(page);
  const panel = page.getByTestId("outpaint");
  await expect(panel).toBeVisible();
  const axe = await new AxeBuilder({ page }).include('[data-testid="outpaint"]').withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);

  // Every side by keyboard: focus "All sides", tick it with the space bar, pick 128 px with the arrows.
  await panel.getByRole("checkbox", { name: "All sides" }).focus();
  await page.keyboard.press("Space");
  await expect(panel.getByTestId("outpaint-size")).toHaveText("128 × 128 px becomes 640 × 640 px.");
  await panel.getByRole("radio", { name: "256 px" }).focus();
  await page.keyboard.press("ArrowLeft");
  await expect(panel.getByRole("radio", { name: "128 px" })).toBeChecked();
  await expect(panel.getByTestId("outpaint-size")).toHaveText("128 × 128 px becomes 384 × 384 px.");
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(page.getByTestId("viewer")).toBeVisible();

  await page.goto(`${href}?edit=inpaint`);
  await waitForHydration(page);
  await expect(page.getByTestId("inpaint")).toContainText("Atelier Sketch inpainting");
  await expect(page.getByTestId("outpaint")).toHaveCount(0);
});
