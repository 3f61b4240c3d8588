import { test, expect, waitForHydration } from "./fixtures";
import { PASSWORD, linkFromOutbox, newEmail, register, signIn, signedInUser, totp, verify } from "./accounts";

test("register, verify from the outbox, sign in, change theme, sign out", async ({ page }) => {
  const email = newEmail("ada");
  await register(page, "Ada Lovelace", email);
  await verify(page, email);
  await page.getByRole("link", { name: "Sign in" }).click();
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome to your studio" })).toBeVisible();
  await expect(page.getByTestId("verify-banner")).toHaveCount(0);

  await waitForHydration(page);
  const html = page.locator("html");
  const before = await html.getAttribute("data-theme");
  await page.getByTestId("theme-toggle").click();
  await expect(html).not.toHaveAttribute("data-theme", before!);
  const chosen = await html.getAttribute("data-theme");
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", chosen!);

  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?next=\/dashboard/);
});

test.describe("refused sign-ins", () => {
  // The browser logs the 401 of a refused sign-in; that is the expected answer here.
  test.use({ allowedConsoleErrors: [/status of 401 .* @ .*\/api\/sign_in/] });

test("a wrong password and an unknown email get the same answer", async ({ page }) => {
  const email = newEmail("grace");
  await register(page, "Grace Hopper", email);
  await signIn(page, email, "not-the-password-at-all");
  const wrongPassword = await page.getByRole("alert").textContent();
  await signIn(page, newEmail("nobody"), PASSWORD);
  await expect(page.getByRole("alert")).toHaveText(wrongPassword!);
  expect(wrongPassword).toContain("The email or password is incorrect.");
});

test("forgot password, reset it, and the old password no longer works", async ({ page }) => {
  const email = await signedInUser(page, "reset");
  await page.context().clearCookies();
  await page.goto("/forgot-password");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText("a reset link is on its way")).toBeVisible();

  await page.goto(await linkFromOutbox(email, "/reset-password"));
  await waitForHydration(page);
  await page.getByLabel("New password").fill("a-brand-new-passphrase");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("Your password is changed.")).toBeVisible();

  await signIn(page, email, PASSWORD);
  await expect(page.getByRole("alert")).toContainText("The email or password is incorrect.");
  await signIn(page, email, "a-brand-new-passphrase");
  await expect(page.getByRole("heading", { name: "Welcome to your studio" })).toBeVisible();
});

});

test("enable two-factor authentication and sign in with a code", async ({ page }) => {
  const email = await signedInUser(page, "totp");
  await page.goto("/settings/security");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await page.getByLabel("Code", { exact: true }).fill(totp(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);

  await page.context().clearCookies();
  await signIn(page, email);
  await expect(page.getByTestId("second-factor-form")).toBeVisible();
  // The enrolment used the current code; each code signs in once, so wait for the next one.
  const next = Date.now() + 30_000 - (Date.now() % 30_000) + 500;
  await page.getByLabel("Authentication code").fill(totp(secret, next));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome to your studio" })).toBeVisible();
});

test("a protected page sends visitors to sign in and back", async ({ page }) => {
  const email = newEmail("next");
  await register(page, "Alan Turing", email);
  await page.goto("/settings/security");
  await expect(page).toHaveURL(/\/login\?next=\/settings\/security/);
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/security$/);
  await expect(page.getByRole("heading", { name: "Where you are signed in" })).toBeVisible();
});
