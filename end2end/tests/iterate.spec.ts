import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";
import { generateSketch } from "./generating";
import { join } from "node:path";

test("from a generated image: favourite, variations, an upscale, a comparison, and reuse as input", async ({ page }) => {
  await signedInUser(page, "iterate");
  await (await generateSketch(page, "a red kite over the dunes", 256)).click();
  await expect(page).toHaveURL(/\/images\/[0-9a-f-]{36}$/);
  await waitForHydration(page);
  await expect(page.getByTestId("facts")).toContainText("256 × 256 px");
  await expect(page.getByTestId("facts")).toContainText("a red kite over the dunes");
  await page.getByTestId("favourite").click();
  await expect(page.getByTestId("favourite")).toHaveAttribute("aria-pressed", "true");

  const children = page.getByTestId("children").locator("[data-image]");
  await page.getByRole("button", { name: "Variations ×2" }).click();
  await expect(page.getByText("Queued.")).toBeVisible();
  await expect(children).toHaveCount(2, { timeout: 45_000 });
  await page.getByRole("button", { name: "Upscale 2×" }).click();
  await expect(children).toHaveCount(3, { timeout: 45_000 });

  // The upscale is twice as wide and tall, and knows where it came from.
  await children.nth(2).click();
  await expect(page.getByTestId("facts")).toContainText("512 × 512 px");
  await expect(page.getByTestId("parent").locator("[data-image]")).toHaveCount(1);
  await page.getByTestId("compare-with").selectOption({ index: 1 });
  await expect(page.getByTestId("compare")).toBeVisible();
  await page.getByLabel("How much of the other image shows").fill("20");
  await expect(page.getByTestId("compare-top")).toHaveCSS("clip-path", "inset(0px 80% 0px 0px)");

  // Reusing it as input opens the generator on an image-to-image model with this image set.
  await page.getByRole("link", { name: "Use as input" }).click();
  await expect(page).toHaveURL(/\/generate\?input=/);
  await expect(page.locator("#model")).toHaveValue("atelier/sketch/image-to-image");
  await expect(page.locator("#param-image_url")).toHaveValue(/^atelier:image\/[0-9a-f-]{36}$/);
  await page.getByLabel("Prompt", { exact: true }).fill("the same kite at night");
  await page.getByTestId("generate").click();
  await expect(page.locator("article[data-job]").first()).toHaveAttribute("data-status", "completed", { timeout: 45_000 });
});

test.describe("a remix link", () => {
  // The unknown image is a 404 from get_image, shown on the page.
  test.use({ allowedConsoleErrors: [/status of 404 .* @ .*\/api\/get_image/] });

  test("remix from the image page puts the image's settings in the form; an unknown image says so", async ({ page }) => {
    await signedInUser(page, "remix-link");
    await (await generateSketch(page, "a paper boat on a pond", 128)).click();
    await waitForHydration(page);
    await page.getByRole("link", { name: "Remix" }).click();
    await expect(page).toHaveURL(/\/generate\?remix=/);
    await waitForHydration(page);
    await expect(page.getByLabel("Prompt", { exact: true })).toHaveValue("a paper boat on a pond");
    await expect(page.locator("#model")).toHaveValue("atelier/sketch");
    await expect(page.getByLabel("Width")).toHaveValue("128");

    await page.goto("/generate?remix=01234567-89ab-7def-8123-456789abcdef");
    await waitForHydration(page);
    await expect(page.getByRole("alert").filter({ hasText: "That image's settings could not be recalled" })).toBeVisible();
  });
});

test("inpainting: a mask painted with the brush, undone, painted again and sent, becomes a repainted child", async ({ page }) => {
  await signedInUser(page, "inpaint");
  await (await generateSketch(page, "a green field under a blue sky", 256)).click();
  await waitForHydration(page);

  await page.getByRole("button", { name: "Inpaint" }).click();
  const editor = page.getByTestId("inpaint");
  await expect(editor).toContainText("Atelier Sketch inpainting");
  const repaint = page.getByTestId("inpaint-submit");
  await expect(repaint).toBeDisabled();
  const mask = page.getByTestId("mask");
  const box = (await mask.boundingBox())!;
  const paint = async (fromX: number, toX: number) => {
    await page.mouse.move(box.x + box.width * fromX, box.y + box.height / 2);
    await page.mouse.down();
    for (let step = 1; step <= 8; step++) {
      await page.mouse.move(box.x + box.width * (fromX + ((toX - fromX) * step) / 8), box.y + box.height / 2);
    }
    await page.mouse.up();
  };
  const paintedPixels = () =>
    mask.evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count++;
      return count;
    });

  await paint(0.2, 0.8);
  const afterStroke = await paintedPixels();
  expect(afterStroke).toBeGreaterThan(1000);
  await editor.getByRole("button", { name: "Undo" }).click();
  expect(await paintedPixels()).toBe(0);
  await paint(0.3, 0.6);
  await editor.getByRole("button", { name: "Invert" }).click();
  expect(await paintedPixels()).toBeGreaterThan(256 * 256 / 2);
  await editor.getByRole("button", { name: "Invert" }).click();
  await editor.getByLabel("What should be there").fill("a red barn");
  await expect(repaint).toBeEnabled();
  await repaint.click();
  await expect(editor.getByText("Queued.")).toBeVisible();
  await expect(page.getByTestId("children").locator("[data-image]")).toHaveCount(1, { timeout: 45_000 });
  // The image arriving leaves the editor as it was: the mask is still painted.
  expect(await paintedPixels()).toBeGreaterThan(1000);
  await page.getByTestId("children").locator("[data-image]").first().click();
  const facts = page.getByTestId("facts");
  await expect(facts).toContainText("atelier/sketch/inpainting");
  // Its inputs are named, not spelled out as the mask's thousands of characters.
  await expect(facts).toContainText("mask url" + "an image sent with the request");
  await expect(facts).toContainText("image url" + "one of your images");
  await expect(facts).not.toContainText("data:image");
});

test("an uploaded image becomes the input of image to image, at the chosen strength", async ({ page }) => {
  await signedInUser(page, "upload");
  await page.goto("/generate");
  await waitForHydration(page);
  await page.locator("#model").selectOption("atelier/sketch/image-to-image");
  await page.getByTestId("generate").click();
  await expect(page.locator('[data-param="image_url"]').getByRole("alert")).toContainText("required");

  await page.locator('[data-param="image_url"] input[type="file"]').setInputFiles(join(__dirname, "../../public/icons/icon-192.png"));
  await expect(page.locator("#param-image_url")).toHaveValue(/^atelier:image\/[0-9a-f-]{36}$/);
  await expect(page.getByAltText("The input image")).toBeVisible();
  await page.locator("#param-strength").fill("0.3");
  await page.getByLabel("Prompt", { exact: true }).fill("the same, in autumn colours");
  await page.getByTestId("generate").click();

  const card = page.locator("article[data-job]").first();
  await expect(card).toHaveAttribute("data-status", "completed", { timeout: 45_000 });
  await card.locator("[data-image]").first().click();
  await expect(page.getByTestId("facts")).toContainText("192 × 192 px");
  await expect(page.getByTestId("facts")).toContainText("0.3");
});

test.describe("a refused upload", () => {
  // The browser logs the 422 answer itself.
  test.use({ allowedConsoleErrors: [/status of 422/] });

  test("a file that is not an image is refused where it was chosen", async ({ page }) => {
    await signedInUser(page, "upload-refused");
    await page.goto("/generate");
    await waitForHydration(page);
    await page.locator("#model").selectOption("atelier/sketch/image-to-image");
    await page
      .locator('[data-param="image_url"] input[type="file"]')
      .setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not an image") });
    await expect(page.locator('[data-param="image_url"]').getByRole("alert")).toContainText("Only PNG, JPEG and WebP");
    await expect(page.locator("#param-image_url")).toHaveValue("");
  });
});
