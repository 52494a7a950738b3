import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { byRole, launchBrowser, waitForText } from "./browser.ts";
import { startServer } from "./helpers.ts";
import { PIPELINES, STEP_MODULES } from "./pipelines/fixtures.ts";

/** Waits for the text of the step box's role="status" element (named "step ID"). */
function stepStatus(page: Page, step: string, text: string) {
  return waitForText(page, `[role="status"][aria-label="step ${step}"]`, text, 20_000);
}

Deno.test({
  name: "web UI: pipelines list, form and live picture of the steps; cancel and resume",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const server = await startServer(STEP_MODULES, {}, { top: { pipelines: PIPELINES } });
    const browser = await launchBrowser();
    try {
      const page = await browser.page();
      await page.goto(`${server.url}/pipelines`);
      await (await byRole(page, "link", "Fan out and in")).click();
      await page.waitForSelector('.pipeline-step[data-step="d"]');
      // The picture: four boxes, one arrow per need.
      assert.equal(await page.$$eval(".pipeline-step", (els) => els.length), 4);
      assert.equal(await page.$$eval(".pipeline-arrows > path", (els) => els.length), 4);
      await (await byRole(page, "button", "Run pipeline")).click();
      await page.waitForFunction(() => location.pathname.startsWith("/pipeline-runs/"));
      await stepStatus(page, "b", "running");
      await stepStatus(page, "d", "completed");
      await waitForText(page, "#run-summary .badge", "completed");
      const link = await page.$eval(
        '.pipeline-step[data-step="d"] a',
        (a) => a.getAttribute("href"),
      );
      assert.match(link ?? "", /^\/runs\/[0-9a-z]{16}$/);

      const slow = (await server.post("/api/pipelines/slow/run", {})).body;
      await page.goto(`${server.url}/pipeline-runs/${slow.pipeline_run_id}`);
      await stepStatus(page, "nap", "running");
      await (await byRole(page, "button", "Cancel pipeline")).click();
      await stepStatus(page, "nap", "cancelled");
      await stepStatus(page, "after", "pending");
      await (await byRole(page, "button", "Resume")).click();
      await page.waitForFunction(
        (old: string) => !location.pathname.endsWith(old),
        {},
        slow.pipeline_run_id,
      );
      await stepStatus(page, "nap", "running");
      await waitForText(page, "#run-summary", /resumed from/);
      assert.deepEqual(browser.errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
