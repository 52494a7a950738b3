// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { absent, aria, byRole, contrastFailures, launchBrowser, waitForText } from "./browser.ts";
import { startServer, waitFor } from "./helpers.ts";

Deno.test("web UI: an Input text area for stdin modules, its 413 shown next to it, and the run page's input", async (t) => {
  const server = await startServer([
    { id: "filter", name: "Filter", script: "stdin_filter.py", stdin: "input" },
    { id: "text", name: "Text", script: "stdin_text.py", stdin: "input" },
    { id: "plain", name: "Plain", script: "ask.py" },
  ], { PRISMQ_MAX_INPUT_BYTES: "70000" });
  const browser = await launchBrowser();
  const page = await browser.page();
  const open = (path: string) => page.goto(server.url + path);
  try {
    await t.step("a module without stdin input has no Input field", async () => {
      await open("/modules/plain");
      await byRole(page, "button", "Run");
      assert.ok(await absent(page, "textbox", "Input"));
    });

    await t.step(
      "JSON typed into Input is sent as that value and the run page shows it",
      async () => {
        await open("/modules/filter");
        const area = await byRole(page, "textbox", "Input");
        await area.evaluate((el: any) => el.value = '[{"title": "a short one"}]');
        await page.locator(aria("button", "Run")).click();
        await waitFor(() => new URL(page.url()).pathname.startsWith("/runs/"), 10_000, "run page");
        await waitForText(page, "#run-status", "completed");
        await byRole(page, "heading", "Input");
        await waitForText(page, "#input-text", '[{"title":"a short one"}]');
        const link = await byRole(page, "link", "Download input");
        assert.match(await link.evaluate((el: any) => el.getAttribute("href")), /\/input$/);
        await waitForText(page, "#run-result", /"count": 1/);
      },
    );

    await t.step("a large text input shows its first 64 KiB", async () => {
      await open("/modules/text");
      const area = await byRole(page, "textbox", "Input");
      await area.evaluate((el: any) => el.value = "x".repeat(67_000));
      await page.locator(aria("button", "Run")).click();
      await waitFor(() => new URL(page.url()).pathname.startsWith("/runs/"), 10_000, "run page");
      await waitForText(page, "#input-info", /first 64 KiB are shown/);
      // The text comes from a second request, after the info line is drawn.
      const shown = await waitFor(
        () => page.$eval("#input-text", (el) => el.textContent!.length),
        10_000,
        "the input's text",
      );
      assert.equal(shown, 65_536);
    });

    await t.step("the server's 413 for a too large input shows next to the field", async () => {
      await open("/modules/text");
      const area = await byRole(page, "textbox", "Input");
      await area.evaluate((el: any) => el.value = "z".repeat(70_001));
      await page.locator(aria("button", "Run")).click();
      await waitFor(
        () => area.evaluate((el: any) => el.getAttribute("aria-invalid") === "true"),
        10_000,
        "the field to be marked",
      );
      const field = await area.evaluate((el: any) => el.closest(".field").textContent);
      assert.match(field, /PRISMQ_MAX_INPUT_BYTES=70000/);
      assert.equal(new URL(page.url()).pathname, "/modules/text", "no run was started");
      assert.deepEqual(await contrastFailures(page), []);
    });
    assert.deepEqual(browser.errors, []);
  } finally {
    await page.close();
    await browser.close();
    await server.close();
  }
});
