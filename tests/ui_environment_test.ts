import assert from "node:assert/strict";
import { launchBrowser, waitForText } from "./browser.ts";
import { python, startServer } from "./helpers.ts";
import { writeImportScript, writeWheel } from "./env_wheels.ts";

Deno.test({
  name: "web UI: the module page's environment panel shows status, packages and the build log; " +
    "Rebuild builds again",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-uienv-" });
    const wheels = Deno.makeTempDirSync({ prefix: "prismq-wheels-" });
    writeWheel(wheels, { name: "prismq_probe", version: "1.0", value: "one", python: python() });
    const script = writeImportScript(dir, "probe", "prismq_probe");
    const server = await startServer(
      [{
        id: "probe",
        script,
        requirements: ["prismq_probe==1.0"],
        env: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels },
      }],
      {},
      { dir },
    );
    const browser = await launchBrowser();
    try {
      const page = await browser.page();
      await page.goto(`${server.url}/modules/probe`);
      await waitForText(page, "#environment-status", /^none not built yet/);
      await page.click("#environment-rebuild");
      await waitForText(page, "#environment-status", /^ready · Python \d/, 120_000);
      await waitForText(page, "#environment-packages", "prismq_probe 1.0");
      await waitForText(page, "#environment-log", /Successfully installed prismq_probe-1\.0/);
      const first = (await server.json("/api/modules/probe/environment")).body.built_at;
      await page.click("#environment-rebuild");
      await page.waitForFunction(
        (before: string) =>
          (globalThis as unknown as {
            document: { querySelector(s: string): { getAttribute(a: string): string } | null };
          }).document.querySelector("#environment-status time")?.getAttribute("datetime") !==
            before,
        { timeout: 120_000 },
        first,
      );
      await waitForText(page, "#environment-status", /^ready · Python \d/, 120_000);
      assert.deepEqual(browser.errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
