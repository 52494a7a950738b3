import assert from "node:assert/strict";
import { join } from "node:path";
import { aria, byRole, launchBrowser, waitForLogLine, waitForText } from "./browser.ts";
import { startServer, waitFor } from "./helpers.ts";

const TOKEN = "ui-test-token";
const MODULES = [{ id: "demo", name: "Demo", script: "ui_demo.py" }];

Deno.test("web UI in Chromium with PRISMQ_API_TOKEN: asks once, then sends it everywhere", async (t) => {
  const server = await startServer(MODULES, { PRISMQ_API_TOKEN: TOKEN });
  const browser = await launchBrowser();
  const downloads = Deno.makeTempDirSync({ prefix: "prismq-downloads-" });
  const page = await browser.page({ downloads });
  /** Requests to /api and the Authorization header they carried. */
  const sent: { path: string; auth: string | undefined }[] = [];
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith("/api/")) {
      sent.push({ path: url.pathname, auth: req.headers().authorization });
    }
  });
  try {
    assert.equal((await server.post("/api/modules/demo/run", {})).status, 401, "closed");
    const auth = { authorization: `Bearer ${TOKEN}` };
    const submitted = await server.json("/api/modules/demo/run", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(submitted.status, 202);
    const runId = submitted.body.run_id;
    await waitFor(async () => {
      const { body } = await server.json(`/api/runs/${runId}`, { headers: auth });
      return body.status === "completed";
    });

    await t.step("the page asks for the token, says when it is refused, then loads", async () => {
      await page.goto(server.url + "/");
      await byRole(page, "dialog", "API token needed");
      await page.locator(aria("textbox", "API token")).fill("wrong-token");
      await page.locator(aria("button", "Use token")).click();
      await waitForText(page, "#token-refused", "That token was refused; try again.");
      await page.locator(aria("textbox", "API token")).fill(TOKEN);
      await page.locator(aria("button", "Use token")).click();
      await byRole(page, "link", "Demo");
      const stored = await page.evaluate(() => [sessionStorage.length, localStorage.length]);
      assert.deepEqual(stored, [1, 0], "kept in sessionStorage only");
    });

    await t.step("other pages of the tab use it without asking again", async () => {
      await page.goto(`${server.url}/runs/${runId}`);
      await waitForText(page, '[role="status"]', "completed");
      await waitForLogLine(page, "line 3 of 3");
      assert.equal(await page.$eval("#token-dialog", (d) => d.open), false);
    });

    await t.step("Download log fetches with the token and saves the file", async () => {
      await page.locator(aria("link", "Download log")).click();
      const file = join(downloads, `${runId}.log`);
      await waitFor(
        () => {
          try {
            return Deno.readTextFileSync(file).includes("line 3 of 3");
          } catch {
            return false;
          }
        },
        10_000,
        "the downloaded log",
      );
    });

    const bearer = `Bearer ${TOKEN}`;
    const withToken = (end: string) => sent.some((r) => r.path.endsWith(end) && r.auth === bearer);
    // Chromium reports requests to this process asynchronously (in order): the saved file can be
    // seen before the report of the request that fetched it has been read.
    await waitFor(() => withToken("/logs/stream"), 10_000, "the log stream to send it too");
    await waitFor(() => withToken("/logs/download"), 10_000, "the download to send it too");
    // Only the first request went out before the token was asked for; then the wrong one.
    const early = sent.filter((r) => r.auth !== bearer).map((r) => [r.path, r.auth]);
    assert.deepEqual(early, [["/api/modules", undefined], ["/api/modules", "Bearer wrong-token"]]);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    await server.close();
    Deno.removeSync(downloads, { recursive: true });
  }
});
