import { test, expect, waitForHydration } from "./fixtures";
import { signedInUser } from "./accounts";

test("waiting jobs are reordered by drag and drop and by keyboard, paused, and resumed", async ({ page }) => {
  await signedInUser(page, "queue");
  await page.goto("/queue");
  await waitForHydration(page);
  await expect(page.getByTestId("queue-empty")).toBeVisible();

  // Paused, the queue keeps what is sent to it waiting.
  await page.getByTestId("pause-queue").click();
  await expect(page.getByTestId("pause-queue")).toHaveAttribute("aria-pressed", "true");
  const origin = new URL(page.url()).origin;
  for (const prompt of ["first", "second", "third"]) {
    const response = await page.request.post("/api/jobs", {
      headers: { Origin: origin },
      data: { model_id: "atelier/sketch", prompt, parameters: { image_size: { width: 64, height: 64 } } },
    });
    expect(response.status(), await response.text()).toBe(201);
  }
  const waiting = page.getByTestId("waiting").locator("li");
  const prompts = waiting.locator("p.truncate");
  await expect(prompts).toHaveText(["first", "second", "third"]);

  await waiting.nth(2).dragTo(waiting.nth(0));
  await expect(prompts).toHaveText(["third", "first", "second"]);
  await waiting.nth(0).getByRole("button", { name: "Move down" }).click();
  await expect(prompts).toHaveText(["first", "third", "second"]);
  await waiting.nth(0).dragTo(page.getByTestId("drop-last"));
  await expect(prompts).toHaveText(["third", "second", "first"]);

  // A paused job stays behind when the queue resumes; the others run.
  await waiting.filter({ hasText: "second" }).getByRole("button", { name: "Pause this job" }).click();
  await expect(waiting.filter({ hasText: "second" })).toHaveAttribute("data-status", "paused");
  await page.getByTestId("pause-queue").click();
  await expect(page.getByTestId("pause-queue")).toHaveAttribute("aria-pressed", "false");
  const finished = page.locator("section", { has: page.locator("#finished-heading") }).locator("li");
  await expect(finished).toHaveCount(2, { timeout: 30_000 });
  await expect(finished.first()).toHaveAttribute("data-status", "completed");
  await expect(prompts).toHaveText(["second"]);
});
