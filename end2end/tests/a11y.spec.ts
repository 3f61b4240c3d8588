import AxeBuilder from "@axe-core/playwright";
import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";
import { generateSketch } from "./generating";
import type { Page } from "@playwright/test";

/// The serious and critical WCAG 2 A/AA violations on the page as it is now, one line each.
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`);
}

async function expectAccessible(page: Page, path: string) {
  await page.goto(path);
  await waitForHydration(page);
  expect(await seriousViolations(page), path).toEqual([]);
}

test("the public pages have no serious or critical accessibility violations", async ({ page }) => {
  for (const path of ["/", "/login", "/register", "/forgot-password"]) {
    await expectAccessible(page, path);
  }
});

test("the studio's pages have no serious or critical accessibility violations", async ({ page }) => {
  await signedInUser(page, "a11y");
  for (const path of ["/dashboard", "/generate", "/queue", "/models", "/settings/account", "/settings/security"]) {
    await expectAccessible(page, path);
  }

  // With work on them: a finished job on the generate page, and its image's page.
  const image = await generateSketch(page, "a small test image", 128);
  expect(await seriousViolations(page), "/generate with a result").toEqual([]);
  await expectAccessible(page, (await image.getAttribute("href"))!);
  await expectAccessible(page, "/queue");
});
