import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";
import type { APIRequestContext, Page } from "@playwright/test";

// The studio with a fal.ai key, talking to the emulator. Faults are scoped to one model each, so these
// tests never disturb others running at the same time (fal.spec.ts uses fal-ai/flux/schnell).
const falStudio = process.env.ATELIER_E2E_FAL_STUDIO_URL!;
const emulator = process.env.ATELIER_E2E_EMULATOR_URL!;

test.use({ baseURL: falStudio });

async function injectFault(request: APIRequestContext, rule: Record<string, unknown>) {
  const response = await request.post(`${emulator}/_emulator/faults`, { data: { times: 1, ...rule } });
  expect(response.ok(), await response.text()).toBeTruthy();
}

async function openGenerate(page: Page, label: string, model: string) {
  await signedInUser(page, label);
  await page.goto("/generate");
  await waitForHydration(page);
  await page.locator("#model").selectOption(model);
  await expect(page.getByTestId("needs-key")).toHaveCount(0);
}

test("a fal model generates through the emulator, riding out a busy 503 at submit", async ({ page, request }) => {
  await openGenerate(page, "fal-busy", "fal-ai/flux/dev");
  await injectFault(request, { fault: "http_503", on: "submit", model: "fal-ai/flux/dev" });
  await page.getByLabel("Prompt", { exact: true }).fill("a lighthouse at dusk");
  await page.getByRole("button", { name: "Custom" }).click();
  await page.getByLabel("Width").fill("128");
  await page.getByLabel("Height").fill("96");
  await expect(page.getByTestId("cost")).toContainText("3 credits");
  await page.getByTestId("generate").click();

  const card = page.locator("article[data-job]").first();
  await expect(card.locator("[data-image] img")).toHaveCount(1, { timeout: 45_000 });
  await expect(card).toHaveAttribute("data-status", "completed");
  await expect(page.getByTestId("cost")).toContainText("Balance: 97 credits");
});

test("an input fal refuses fails the job, returns the credits, and is shown at its field", async ({ page, request }) => {
  await openGenerate(page, "fal-refused", "fal-ai/fast-sdxl");
  await injectFault(request, { fault: "validation", on: "submit", model: "fal-ai/fast-sdxl", field: "image_size" });
  await page.getByLabel("Prompt", { exact: true }).fill("a quiet harbour");
  await page.getByTestId("generate").click();

  const card = page.locator("article[data-job]").first();
  await expect(card).toHaveAttribute("data-status", "failed", { timeout: 30_000 });
  await expect(card.getByRole("alert")).toContainText("image_size");
  await expect(page.locator('[data-param="image_size"]').getByRole("alert")).toBeVisible();
  await expect(page.getByTestId("cost")).toContainText("Balance: 100 credits");
});
