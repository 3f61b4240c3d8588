import { test as base, expect, type ConsoleMessage, type Page } from "@playwright/test";

type Fixtures = {
  /** Console errors a test expects (matched against "message @ url"), e.g. a page that is meant to 404. */
  allowedConsoleErrors: RegExp[];
  consoleErrors: string[];
};

// Every test fails on a console error or an uncaught exception in the page, unless it allows it.
export const test = base.extend<Fixtures>({
  allowedConsoleErrors: [[], { option: true }],
  consoleErrors: [
    async ({ page, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on("console", (message: ConsoleMessage) => {
        if (message.type() === "error") errors.push(`${message.text()} @ ${message.location().url}`);
      });
      page.on("pageerror", (error) => errors.push(error.message));
      await use(errors);
      const unexpected = errors.filter((e) => !allowedConsoleErrors.some((allowed) => allowed.test(e)));
      expect(unexpected, "console errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

// Resolves once the WASM bundle has hydrated the page (lib.rs marks <html data-hydrated>). The first
// page of a browser compiles the ~11 MB debug bundle, which takes seconds on a busy 2-core machine.
export async function waitForHydration(page: Page) {
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 25_000 });
}
