import assert from "node:assert/strict";
import { launchBrowser, waitForText } from "./browser.ts";
import { startServer } from "./helpers.ts";

Deno.test({
  name:
    "web UI: the pools page shows slots in use and their runs; runs and run pages say what a queued run waits for",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const server = await startServer(
      [{
        id: "gpu",
        script: "sleeper.py",
        uses: ["gpu"],
        parameters: [{ name: "seconds", type: "number", default: 30 }],
      }],
      {},
      { top: { pools: { gpu: 1 } } },
    );
    const browser = await launchBrowser();
    try {
      const holder = (await server.post("/api/modules/gpu/run", {})).body;
      const waiting = (await server.post("/api/modules/gpu/run", {})).body;
      assert.equal(waiting.status, "queued");
      const page = await browser.page();
      await page.goto(`${server.url}/pools`);
      await waitForText(page, '#pools-table tr[data-pool="gpu"] td', "1 of 1");
      await waitForText(page, '#pools-table tr[data-pool="gpu"] td:nth-of-type(2)', "1");
      await waitForText(page, '#pools-table tr[data-pool="gpu"] li', holder.run_id);
      await page.goto(`${server.url}/runs`);
      await waitForText(
        page,
        `tr[data-run-id="${waiting.run_id}"] .waiting-for`,
        "Waiting for: pool gpu: 1 of 1 slots in use",
      );
      await page.goto(`${server.url}/runs/${waiting.run_id}`);
      await waitForText(page, "#run-waiting", "Waiting for: pool gpu: 1 of 1 slots in use");
      await server.request(`/api/runs/${holder.run_id}`, { method: "DELETE" }).then((r) =>
        r.body?.cancel()
      );
      // Once it runs, the sentence goes.
      await waitForText(page, '[role="status"]', "running");
      await page.waitForFunction(() =>
        (globalThis as unknown as { document: { getElementById(id: string): { hidden: boolean } } })
          .document.getElementById("run-waiting").hidden
      );
      assert.deepEqual(browser.errors, []);
      await server.request(`/api/runs/${waiting.run_id}`, { method: "DELETE" }).then((r) =>
        r.body?.cancel()
      );
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
