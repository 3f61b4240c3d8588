import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page } from "@playwright/test";
import { waitForHydration } from "./fixtures";

// Both studios' outboxes: addresses are unique per test, so a mail is found wherever it was sent.
const outboxes = [process.env.ATELIER_E2E_DATA_DIR, process.env.ATELIER_E2E_FAL_DATA_DIR]
  .filter((dir): dir is string => !!dir)
  .map((dir) => join(dir, "outbox"));

export const PASSWORD = "violet-easel-42-sketch";

/// A fresh address for each test, so tests never share an account.
export function newEmail(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.com`;
}

/// The first link in the newest mail to `to` whose path starts with `path`, waiting for it to arrive.
export async function linkFromOutbox(to: string, path: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      () => {
        const mails = outboxes
          .flatMap((outbox) =>
            (existsSync(outbox) ? readdirSync(outbox) : [])
              .filter((name) => name.endsWith(".eml"))
              .map((name) => ({ name, path: join(outbox, name) })),
          )
          .sort((a, b) => a.name.localeCompare(b.name))
          .reverse()
          .map((file) => readFileSync(file.path, "utf8"))
          .filter((mail) => mail.toLowerCase().includes(`to: ${to}`));
        for (const mail of mails) {
          // Quoted-printable soft line breaks ("=\r\n") may split a long link.
          const text = mail.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
          const match = text.match(new RegExp(`https?://[^\\s"<>]+${path.replace("/", "\\/")}[^\\s"<>]*`));
          if (match) {
            link = match[0];
            return true;
          }
        }
        return false;
      },
      { timeout: 10_000, message: `a mail to ${to} with a ${path} link` },
    )
    .toBe(true);
  return link!;
}

/// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret, as an authenticator app computes it.
export function totp(secret: string, now = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/[\s=]/g, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const hmac = createHmac("sha1", key).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0xf;
  const code = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}

export async function register(page: Page, name: string, email: string, password = PASSWORD) {
  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Check your inbox")).toBeVisible();
}

export async function verify(page: Page, email: string) {
  await page.goto(await linkFromOutbox(email, "/verify-email"));
  await waitForHydration(page);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByText("Your email address is confirmed.")).toBeVisible();
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/// A verified account, signed in, on the dashboard.
export async function signedInUser(page: Page, label: string): Promise<string> {
  const email = newEmail(label);
  await register(page, "Ada Lovelace", email);
  await verify(page, email);
  await signIn(page, email);
  await expect(page.getByRole("heading", { name: "Welcome to your studio" })).toBeVisible();
  return email;
}
