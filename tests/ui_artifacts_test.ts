import assert from "node:assert/strict";
import { absent, byRole, launchBrowser } from "./browser.ts";
import { startServer, waitFinal, waitFor } from "./helpers.ts";

const SHAPES = {
  id: "shapes",
  script: "artifact_shapes.py",
  parameters: [
    { name: "shape", type: "text", required: true },
    { name: "count", type: "number", default: 0 },
  ],
};

Deno.test("the run page lists a run's files a page at a time", async () => {
  const server = await startServer([SHAPES]);
  const browser = await launchBrowser();
  try {
    const { body } = await server.post("/api/modules/shapes/run", {
      parameters: { shape: "many", count: 250 },
    });
    await waitFinal(server, body.run_id);
    const page = await browser.page();
    await page.goto(`${server.url}/runs/${body.run_id}`);
    const links = () => page.$$eval("#artifact-list a", (els) => els.length);
    await waitFor(async () => await links() === 100, 10_000, "the first 100 files");
    assert.match(await page.$eval("#artifact-count", (el) => el.textContent ?? ""), /250 files/);
    await (await byRole(page, "button", "Show more files")).click();
    await waitFor(async () => await links() === 200, 10_000, "200 files");
    await (await byRole(page, "button", "Show more files")).click();
    await waitFor(async () => await links() === 250, 10_000, "all 250 files");
    await waitFor(() => absent(page, "button", "Show more files"), 5000, "the button to go");
    const names = await page.$$eval("#artifact-list a", (els) => els.map((a) => a.textContent));
    assert.equal(new Set(names).size, 250, "no file twice");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
