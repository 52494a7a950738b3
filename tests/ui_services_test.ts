import assert from "node:assert/strict";
import { launchBrowser, waitForText } from "./browser.ts";
import { startServer } from "./helpers.ts";

Deno.test({
  name: "web UI: the services page shows each replica's run and status; Stop and Start work",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const server = await startServer([{
      id: "workers",
      script: "service_worker.py",
      command: ["{python}", "{script}", "--worker-id", "{replica}"],
      service: { replicas: 2 },
    }]);
    const browser = await launchBrowser();
    try {
      const started = (await server.post("/api/services/workers/start", {})).body;
      const page = await browser.page();
      await page.goto(`${server.url}/services`);
      const row = (n: number) => `section[data-service="workers"] tr[data-replica="${n}"]`;
      await waitForText(page, `${row(1)} .replica-status`, "running");
      await waitForText(page, `${row(2)} .replica-status`, "running");
      await waitForText(page, `${row(1)} a`, started.replicas[0].run_id);
      await waitForText(page, "nav", /Services/);
      await page.click('section[data-service="workers"] button[data-action="stop"]');
      await waitForText(page, `${row(1)} .replica-status`, "cancelled");
      await waitForText(page, `${row(2)} .replica-status`, "cancelled");
      assert.equal((await server.json("/api/services/workers")).body.desired, "stopped");
      await page.click('section[data-service="workers"] button[data-action="start"]');
      await waitForText(page, `${row(1)} .replica-status`, "running");
      assert.deepEqual(browser.errors, []);
      await server.post("/api/services/workers/stop", {});
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
