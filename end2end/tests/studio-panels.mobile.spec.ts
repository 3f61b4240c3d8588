import { test, expect } from "./fixtures";
import { signedInUser } from "./accounts";
import { generateSketch } from "./generating";

test("on a phone, a result's actions show without hover and answer taps", async ({ page }) => {
  await signedInUser(page, "panels-phone");
  await generateSketch(page, "a lantern on a jetty", 128);
  const tile = page.locator("article[data-job] [data-tile]").first();
  await tile.scrollIntoViewIfNeeded();

  // Nothing to hover on a touch screen: the quick actions are there from the start, big enough to tap.
  const quick = tile.getByRole("group", { name: "Quick actions" });
  await expect(quick).toBeInViewport();
  expect(await quick.evaluate((row) => getComputedStyle(row).opacity)).toBe("1");
  for (const control of await quick.locator("button, a").all()) {
    const box = (await control.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
  }

  const star = tile.getByTestId("favourite");
  await expect(star).toBeEnabled();
  await star.tap();
  await expect(star).toHaveAttribute("aria-pressed", "true");

  // Every other action is one tap away, in a menu that fits the screen.
  await tile.getByRole("button", { name: "More actions" }).tap();
  const menu = tile.getByTestId("tile-menu");
  await expect(menu).toBeVisible();
  for (const name of ["Variations ×2", "Upscale 2×", "Upscale 4×", "Remove background", "Use as input", "Remix this image"]) {
    await expect(menu.getByRole("button", { name })).toBeInViewport();
  }
  for (const name of ["Inpaint", "Extend", "Download", "Open"]) {
    await expect(menu.getByRole("link", { name })).toBeInViewport();
  }
  await menu.getByRole("button", { name: "Close" }).tap();
  await expect(menu).toBeHidden();

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
