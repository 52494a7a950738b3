// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import {
  absent,
  aria,
  byRole,
  contrastFailures,
  launchBrowser,
  logRows,
  waitForLogLine,
  waitForText,
} from "./browser.ts";
import { startServer, waitFor } from "./helpers.ts";

/** A module with every parameter type, a validation pattern and a conditional field. */
const DEMO = {
  id: "demo",
  name: "Demo",
  script: "ui_demo.py",
  parameters: [
    {
      name: "name",
      type: "text",
      label: "Your name",
      required: true,
      placeholder: "Ada",
      validation: { pattern: "^[A-Za-z ]+$", message: "Letters and spaces only" },
    },
    { name: "count", type: "number", label: "Line count", default: 3, min: 1, max: 1000 },
    { name: "pause", type: "number", label: "Pause in seconds", default: 0.05, min: 0, max: 5 },
    {
      name: "mode",
      type: "select",
      label: "Mode",
      options: ["quick", "detailed"],
      default: "quick",
    },
    {
      name: "detail",
      type: "text",
      label: "Detail level",
      conditional_display: { field: "mode", value: "detailed" },
    },
    { name: "loud", type: "checkbox", label: "Shout", default: false },
    { name: "secret", type: "password", label: "Secret", warning: "Sent to the script only" },
  ],
};
const SLEEPY = {
  id: "sleepy",
  name: "Sleepy",
  category: "Waiting",
  script: "sleeper.py",
  parameters: [{ name: "seconds", type: "number", label: "Seconds", default: 30 }],
};

const statusOf = (page: Page) => page.$eval('[role="status"]', (el) => el.textContent);

/** The runs table as the page shows it. */
function tableRows(page: Page): Promise<{ id: string; module: string; status: string }[]> {
  return page.$$eval("#runs-table tbody tr", (rows) =>
    rows.map((tr: any) => ({
      id: tr.dataset.runId,
      module: tr.cells[1].textContent,
      status: tr.cells[2].querySelector(".badge").textContent,
    })));
}

async function fill(page: Page, role: string, name: string, value: string): Promise<void> {
  await page.locator(aria(role, name)).fill(value);
}

Deno.test("web UI in Chromium: modules, the run form, a live run, cancel, the history", async (t) => {
  const server = await startServer([DEMO, SLEEPY]);
  const browser = await launchBrowser();
  const page = await browser.page();
  const open = (path: string) => page.goto(server.url + path);
  const contrast: string[] = [];
  try {
    await t.step("the modules page groups modules by category and searches", async () => {
      await open("/");
      await byRole(page, "link", "Demo");
      await byRole(page, "heading", "Waiting");
      await fill(page, "searchbox", "Search modules", "sleep");
      await waitFor(() => absent(page, "link", "Demo"), 5000, "Demo to be filtered out");
      await byRole(page, "link", "Sleepy");
      contrast.push(...await contrastFailures(page));
    });

    await t.step("the form has a labelled control of the right kind per parameter", async () => {
      await open("/modules/demo");
      const name = await byRole(page, "textbox", "Your name");
      assert.equal(await name.evaluate((el: any) => el.placeholder), "Ada");
      const count = await byRole(page, "spinbutton", "Line count");
      assert.equal(await count.evaluate((el: any) => el.value), "3");
      await byRole(page, "combobox", "Mode");
      await byRole(page, "checkbox", "Shout");
      const secret = await byRole(page, "textbox", "Secret");
      assert.equal(await secret.evaluate((el: any) => el.type), "password");
      for (const button of ["Run", "Save as defaults", "Reset defaults"]) {
        await byRole(page, "button", button);
      }
    });

    await t.step("a conditional field appears and goes with the value it depends on", async () => {
      assert.ok(await absent(page, "textbox", "Detail level"));
      const mode = await byRole(page, "combobox", "Mode");
      await mode.select("detailed");
      await byRole(page, "textbox", "Detail level");
      await mode.select("quick");
      await waitFor(() => absent(page, "textbox", "Detail level"), 5000, "the field to go");
    });

    await t.step("the server's validation message shows next to its field", async () => {
      await fill(page, "textbox", "Your name", "Ada 123");
      await page.locator(aria("button", "Run")).click();
      const name = await byRole(page, "textbox", "Your name");
      await waitFor(() => name.evaluate((el: any) => el.getAttribute("aria-invalid") === "true"));
      const description = await name.evaluate((el: any) =>
        el.getAttribute("aria-describedby").split(" ")
          .map((id: string) => el.ownerDocument.getElementById(id)?.textContent ?? "").join(" ")
      );
      assert.match(description, /Letters and spaces only/);
      const field = await name.evaluate((el: any) => el.closest(".field").textContent);
      assert.match(field, /Letters and spaces only/, "the message sits with its field");
      assert.equal(new URL(page.url()).pathname, "/modules/demo", "no run was started");
      contrast.push(...await contrastFailures(page));
    });

    await t.step("Save as defaults and Reset defaults use the config routes", async () => {
      await fill(page, "textbox", "Your name", "Grace");
      await fill(page, "spinbutton", "Line count", "7");
      await page.locator(aria("button", "Save as defaults")).click();
      await waitForText(page, "#form-message", "Saved as defaults.");
      await page.reload();
      const count = await byRole(page, "spinbutton", "Line count");
      await waitFor(() => count.evaluate((el: any) => el.value === "7"), 5000, "the saved 7");
      await page.locator(aria("button", "Reset defaults")).click();
      await waitForText(page, "#form-message", "Defaults restored.");
      assert.equal(await count.evaluate((el: any) => el.value), "3");
      assert.equal((await server.json("/api/modules/demo/config")).body.updated_at, null);
    });

    await t.step("Run opens the run page: live lines, then completed", async () => {
      await fill(page, "textbox", "Your name", "Ada Lovelace");
      await fill(page, "spinbutton", "Line count", "20");
      await fill(page, "spinbutton", "Pause in seconds", "0.1");
      await Promise.all([page.waitForNavigation(), page.locator(aria("button", "Run")).click()]);
      const runId = new URL(page.url()).pathname.split("/").pop()!;
      await waitForLogLine(page, "line 3 of 20");
      assert.equal(await statusOf(page), "running", "lines arrive while the run goes on");
      await byRole(page, "button", "Cancel run");
      await waitForText(page, '[role="status"]', "completed");
      await waitForLogLine(page, "a note on stderr");
      const rows = await logRows(page);
      rows.forEach((row, i) => i > 0 && assert.equal(row.seq, rows[i - 1].seq + 1, "in order"));
      assert.match(rows.find((r) => r.text.includes("a note on stderr"))!.cls, /stream-stderr/);
      assert.match(rows.find((r) => r.text.includes("almost done"))!.cls, /level-WARNING/);
      await waitFor(() => absent(page, "button", "Cancel run"), 5000, "Cancel run to go");
      const download = await byRole(page, "link", "Download log");
      const href = await download.evaluate((el: any) => el.getAttribute("href"));
      assert.equal(href, `/api/runs/${runId}/logs/download`);
      assert.match(await page.$eval("#run-parameters", (el) => el.textContent), /Ada Lovelace/);
      const run = (await server.json(`/api/runs/${runId}`)).body;
      if (run.progress_percent !== undefined) {
        const bar = await byRole(page, "progressbar", "Progress");
        assert.equal(await bar.evaluate((el: any) => el.getAttribute("aria-valuenow")), "100");
      }
      if (run.result !== undefined) {
        await waitForText(page, "#run-result", /"lines": 20/);
      }
      if (run.artifacts !== undefined) await byRole(page, "link", "sub/summary.txt");
      contrast.push(...await contrastFailures(page));
    });

    await t.step("Cancel run stops a running run (keyboard only)", async () => {
      await open("/modules/sleepy");
      await page.locator(aria("spinbutton", "Seconds")).click();
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      await waitForLogLine(page, "before sleep");
      const cancel = await byRole(page, "button", "Cancel run");
      await cancel.focus();
      await page.keyboard.press("Enter");
      await waitForText(page, '[role="status"]', "cancelled");
      await waitFor(() => absent(page, "button", "Cancel run"), 5000, "Cancel run to go");
    });

    await t.step("the history filters, pages, and updates running rows by itself", async () => {
      const { body: live } = await server.post("/api/modules/sleepy/run", { parameters: {} });
      await open("/runs");
      await waitFor(async () => (await tableRows(page))[0]?.status === "running", 5000, "a row");
      assert.equal((await tableRows(page))[0].id, live.run_id, "newest first");
      contrast.push(...await contrastFailures(page));
      await server.request(`/api/runs/${live.run_id}`, { method: "DELETE" }).then((r) =>
        r.body?.cancel()
      );
      await waitFor(async () => (await tableRows(page))[0].status === "cancelled", 5000, "update");

      await (await byRole(page, "combobox", "Status")).select("cancelled");
      await waitFor(async () => (await tableRows(page)).length === 2, 5000, "two cancelled");
      assert.ok((await tableRows(page)).every((r) => r.status === "cancelled"));
      await (await byRole(page, "combobox", "Status")).select("");
      await (await byRole(page, "combobox", "Module")).select("demo");
      await waitFor(async () => (await tableRows(page)).length === 1, 5000, "one demo run");
      assert.equal((await tableRows(page))[0].module, "Demo");
      assert.equal(new URL(page.url()).search, "?module_id=demo");

      await open("/runs?limit=1");
      await waitForText(page, "#page-info", "1–1 of 3");
      await page.locator(aria("button", "Next page")).click();
      await waitForText(page, "#page-info", "2–2 of 3");
      await page.locator(aria("button", "Previous page")).click();
      await waitForText(page, "#page-info", "1–1 of 3");
    });

    assert.deepEqual(contrast, [], "text below WCAG AA contrast");
    assert.deepEqual(browser.errors, [], "console errors (CSP violations included)");
  } finally {
    await browser.close();
    await server.close();
  }
});
