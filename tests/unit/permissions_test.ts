import assert from "node:assert/strict";
import { resolve } from "node:path";
import { modulePermissions, settingsPermissions } from "../../src/permissions.ts";
import { parseSettings } from "../../src/settings.ts";

const settings = parseSettings(
  {
    PRISMQ_DATA_DIR: "/srv/data",
    PRISMQ_MODULES: "/srv/modules.json",
    PRISMQ_PYTHON: "/venv/bin/python",
  },
  "/srv",
  "linux",
);

Deno.test("settingsPermissions: module file, env, net, data dir and KV file, the host name (unless PRISMQ_HOST_ID is set), and PRISMQ_PYTHON", () => {
  const flags = settingsPermissions(settings).map((p) => p.flag);
  assert.deepEqual(flags, [
    "--allow-read=/srv/modules.json",
    "--allow-env",
    "--allow-net=127.0.0.1",
    // Settings resolve the data dir with the platform's own path functions (`C:\srv\data`).
    `--allow-read=${resolve("/srv/data")}`,
    `--allow-read=${resolve("/srv/data/runner.kv")}`,
    `--allow-write=${resolve("/srv/data")}`,
    `--allow-write=${resolve("/srv/data/runner.kv")}`,
    "--allow-sys=hostname",
    "--allow-run=/venv/bin/python",
  ]);
  const named = parseSettings({ PRISMQ_HOST_ID: "gpu-1" }, "/srv", "linux");
  assert.ok(settingsPermissions(named).every((p) => !p.flag.startsWith("--allow-sys")));
  const memory = parseSettings({ PRISMQ_KV_PATH: ":memory:" }, "/srv", "linux");
  assert.ok(settingsPermissions(memory).every((p) => !p.flag.startsWith("--allow-write")));
});

Deno.test("modulePermissions: helpers, scripts and other interpreters, each once", () => {
  const needed = modulePermissions(settings, {
    interpreters: ["/venv/bin/python", "py3", "py3"],
    scripts: ["/srv/a.py", "/srv/a.py", "/srv/b.py"],
    helpers: ["/usr/bin/setsid"],
  });
  assert.deepEqual(needed.map((p) => p.flag), [
    "--allow-run=/usr/bin/setsid",
    "--allow-read=/srv/a.py",
    "--allow-read=/srv/b.py",
    "--allow-run=py3",
  ]);
  assert.match(needed[0].setting, /process group/);
});
