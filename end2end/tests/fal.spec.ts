import { test, expect } from "./fixtures";
import { newEmail, register, signIn } from "./accounts";

// These tests run against the second studio, configured with a fal.ai key and the emulator's URLs.
const falStudio = process.env.ATELIER_E2E_FAL_STUDIO_URL!;
const emulator = process.env.ATELIER_E2E_EMULATOR_URL!;
const FAL_KEY = "e2e-emulator-key";

test.use({ baseURL: falStudio });

test("a studio with a fal.ai key offers the fal models as ready", async ({ page }) => {
  const email = newEmail("fal");
  await register(page, "Grace Hopper", email);
  await signIn(page, email);
  await expect(page.getByTestId("studio-status")).toContainText("fal.ai");
  await page.goto("/models");
  const dev = page.locator('[data-model="fal-ai/flux/dev"]');
  await expect(dev).toContainText("fal.ai");
  await expect(dev.getByTestId("needs-key")).toHaveCount(0);
});

test("the emulator's signed webhook is accepted by the studio, and an unsigned one refused", async ({ request }) => {
  const webhook = `${falStudio}/api/webhooks/fal`;
  const submitted = await request.post(`${emulator}/queue/fal-ai/flux/schnell?fal_webhook=${encodeURIComponent(webhook)}`, {
    headers: { Authorization: `Key ${FAL_KEY}` },
    data: { prompt: "a lighthouse at dusk", image_size: { width: 64, height: 64 } },
  });
  expect(submitted.ok()).toBeTruthy();
  const { request_id } = await submitted.json();
  // The studio answers 200 only to a delivery whose Ed25519 signature verifies against the JWKS.
  await expect
    .poll(async () => {
      const requests = await (await request.get(`${emulator}/_emulator/requests`)).json();
      return requests.find((r: { request_id: string }) => r.request_id === request_id)?.webhook_deliveries ?? 0;
    }, { timeout: 10_000 })
    .toBe(1);

  const forged = await request.post(webhook, {
    data: { request_id, status: "OK", payload: { images: [] } },
    headers: { "X-Fal-Webhook-Request-Id": request_id, "X-Fal-Webhook-User-Id": "someone", "X-Fal-Webhook-Timestamp": `${Math.floor(Date.now() / 1000)}`, "X-Fal-Webhook-Signature": "00".repeat(64) },
  });
  expect(forged.status()).toBe(401);
  expect((await forged.json()).message).toContain("signature");
});
