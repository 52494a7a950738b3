import assert from "node:assert/strict";
import { aria, launchBrowser, logRows, pageWidth, waitForText } from "./browser.ts";
import { startServer, tickerModule, waitFinal, waitFor } from "./helpers.ts";

const TICKER = tickerModule(100_000, 0);

Deno.test("web UI in Chromium: 100,000 log lines stay virtual, and the pages fit a phone", async (t) => {
  const server = await startServer([TICKER]);
  const browser = await launchBrowser();
  const page = await browser.page();
  try {
    const { body: run } = await server.post("/api/modules/ticker/run", { parameters: {} });

    await t.step("the run page shows all 100,000 lines with few rows in the DOM", async () => {
      const final = await waitFinal(server, run.run_id, 30_000);
      assert.ok(final.log_lines > 100_000, "the ticks and the runner's exit line");
      const started = performance.now();
      await page.goto(`${server.url}/runs/${run.run_id}`);
      await waitForText(
        page,
        "#log-count",
        `${final.log_lines.toLocaleString("en-US")} lines`,
        30_000,
      );
      await waitForText(page, '[role="status"]', "completed");
      console.log(
        `${final.log_lines} lines on the page in ${Math.round(performance.now() - started)} ms`,
      );
      const rows = await logRows(page);
      assert.ok(rows.length < 200, `${rows.length} rows in the DOM`);
      assert.equal(rows.at(-1)?.text.endsWith("process exited with code 0"), true);
      assert.ok(rows.some((r) => r.text.endsWith("tick 100000")), "it follows the end");
    });

    await t.step("scrolling up stops following; Scroll to latest goes back", async () => {
      await page.$eval('[role="log"]', (el) => el.scrollTop = 0);
      await waitFor(async () => (await logRows(page))[0]?.seq === 1, 5000, "the first line");
      await page.locator(aria("button", "Scroll to latest")).click();
      await waitFor(
        async () => (await logRows(page)).some((r) => r.text.endsWith("tick 100000")),
        5000,
        "the last line",
      );
    });

    await t.step("at a phone's width no page scrolls sideways", async () => {
      await waitFinal(server, run.run_id);
      await page.setViewport({ width: 390, height: 844 });
      // Each page, once its data is drawn.
      const pages: [string, string][] = [
        ["/", aria("link", "ticker")],
        ["/modules/ticker", aria("button", "Run")],
        ["/runs", "#runs-table tbody tr"],
        [`/runs/${run.run_id}`, ".log-row"],
      ];
      for (const [path, drawn] of pages) {
        await page.goto(server.url + path);
        await page.waitForSelector(drawn);
        const { content, window } = await pageWidth(page);
        assert.ok(content <= window, `${path} is ${content}px wide in ${window}px`);
      }
    });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
