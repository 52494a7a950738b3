// Takes the docs' screenshots of the web UI (docs/ui-*.png) with headless Chromium: the
// server as `deno task start` runs it, with the bundled example modules and a fresh data dir,
// a few runs in every state, then each page. Run it with `deno task screenshots`.
import { join, resolve } from "node:path";
import type { Page } from "puppeteer-core";
import { aria, byRole, launchBrowser, waitForLogLine, waitForText } from "../tests/browser.ts";
import { spawnServer, startTaskFlags } from "../tests/server_process.ts";

const DOCS = resolve(import.meta.dirname!, "..", "docs");
const dataDir = Deno.makeTempDirSync({ prefix: "prismq-screenshots-" });
const server = await spawnServer({ PRISMQ_DATA_DIR: dataDir }, [], { flags: startTaskFlags() });
const browser = await launchBrowser();

/** Submits a run of an example module; answers its id. */
async function run(moduleId: string, parameters: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${server.url}/api/modules/${moduleId}/run`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ parameters }),
  });
  if (res.status !== 202) throw new Error(`${moduleId}: ${res.status} ${await res.text()}`);
  return (await res.json()).run_id;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(DOCS, name) });
  console.log(`docs/${name}`);
}

try {
  await run("hello", { name: "Ada", count: 3, style: "fancy", prefix: ">>" });
  await run("flaky", { exit_code: 3 });
  const stopped = await run("countdown", { start: 60, interval: 1 });
  await new Promise((r) => setTimeout(r, 1500));
  await fetch(`${server.url}/api/runs/${stopped}`, { method: "DELETE" }).then((r) => r.text());
  const live = await run("countdown", { start: 40, interval: 0.25 });
  await run("countdown", { start: 30, interval: 0.5 });
  await run("countdown", { start: 10, interval: 1 }); // queued: two countdowns at most at once

  const page = await browser.page();
  await page.goto(`${server.url}/`);
  await byRole(page, "link", "Hello");
  await shot(page, "ui-modules.png");

  await page.goto(`${server.url}/modules/hello`);
  await (await byRole(page, "combobox", "style")).select("fancy");
  await page.locator(aria("textbox", "Name")).fill("Ada!");
  await page.locator(aria("textbox", "prefix")).fill(">>");
  await page.locator(aria("button", "Run")).click();
  await waitForText(page, ".field-error", /Letters, digits and spaces/);
  await page.evaluate("scrollTo(0, 0)"); // the error focused its field; show the page top
  await shot(page, "ui-module.png");

  await page.goto(`${server.url}/runs/${live}`);
  await waitForLogLine(page, "(stderr) 30 is even");
  await shot(page, "ui-run.png");

  await page.goto(`${server.url}/runs`);
  await waitForText(page, "#page-info", /of 6$/);
  await shot(page, "ui-runs.png");

  await page.setViewport({ width: 390, height: 844 });
  await page.goto(`${server.url}/runs/${live}`);
  await waitForLogLine(page, "liftoff", 30_000);
  await shot(page, "ui-run-phone.png");
} finally {
  await browser.close();
  await server.stop("SIGTERM");
  Deno.removeSync(dataDir, { recursive: true });
}
