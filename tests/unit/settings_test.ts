import assert from "node:assert/strict";
import { resolve } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { cliOverrides, isRemoteOrMemory, parseSettings } from "../../src/settings.ts";

const CWD = resolve("/srv/prismq");

/** Asserts that parsing throws a ConfigError whose message names the setting and its value. */
function assertRefused(name: string, value: string): void {
  assert.throws(
    () => parseSettings({ [name]: value }, CWD, "linux"),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
      assert.ok(err.message.includes(name), `message should name ${name}: ${err.message}`);
      assert.ok(
        err.message.includes(JSON.stringify(value)),
        `message should show the value: ${err.message}`,
      );
      return true;
    },
    `${name}=${JSON.stringify(value)} should be refused`,
  );
}

Deno.test("parseSettings: defaults of the contract", () => {
  const s = parseSettings({}, CWD, "linux");
  assert.equal(s.host, "127.0.0.1");
  assert.equal(s.port, 8000);
  assert.equal(s.modulesPath, resolve(CWD, "configs/modules.json"));
  assert.equal(s.dataDir, resolve(CWD, "data"));
  assert.equal(s.kvPath, resolve(CWD, "data", "runner.kv"));
  assert.equal(s.python, "python3");
  assert.equal(s.maxConcurrentRuns, 10);
  assert.equal(s.maxQueuedRuns, 1000);
  assert.equal(s.killGraceSeconds, 5);
  assert.equal(s.runTimeoutSeconds, 0);
  assert.equal(s.logMaxBytes, 104857600);
  assert.equal(s.retentionDays, 30);
  assert.deepEqual(s.corsOrigins, ["http://localhost:5173", "http://127.0.0.1:5173"]);
  assert.equal(s.apiToken, null);
});

Deno.test("parseSettings: default interpreter depends on the os parameter", () => {
  assert.equal(parseSettings({}, CWD, "windows").python, "python");
  assert.equal(parseSettings({}, CWD, "linux").python, "python3");
  assert.equal(parseSettings({}, CWD, "darwin").python, "python3");
  // A configured interpreter is kept as given, on every platform.
  assert.equal(parseSettings({ PRISMQ_PYTHON: "py" }, CWD, "windows").python, "py");
  assert.equal(
    parseSettings({ PRISMQ_PYTHON: "/opt/venv/bin/python" }, CWD, "linux").python,
    "/opt/venv/bin/python",
  );
});

Deno.test("parseSettings: kvPath defaults to <dataDir>/runner.kv, following PRISMQ_DATA_DIR", () => {
  const s = parseSettings({ PRISMQ_DATA_DIR: "state" }, CWD, "linux");
  assert.equal(s.dataDir, resolve(CWD, "state"));
  assert.equal(s.kvPath, resolve(CWD, "state", "runner.kv"));
  const abs = resolve("/var/lib/prismq");
  const t = parseSettings({ PRISMQ_DATA_DIR: abs }, CWD, "linux");
  assert.equal(t.dataDir, abs);
  assert.equal(t.kvPath, resolve(abs, "runner.kv"));
});

Deno.test("parseSettings: values given are used", () => {
  const s = parseSettings(
    {
      PRISMQ_HOST: "0.0.0.0",
      PRISMQ_API_TOKEN: "t",
      PRISMQ_PORT: "9000",
      PRISMQ_MAX_CONCURRENT_RUNS: "3",
      PRISMQ_MAX_QUEUED_RUNS: "0",
      PRISMQ_KILL_GRACE_SECONDS: "1.5",
      PRISMQ_RUN_TIMEOUT_SECONDS: "60",
      PRISMQ_LOG_MAX_BYTES: "2048",
      PRISMQ_RETENTION_DAYS: "7",
    },
    CWD,
    "linux",
  );
  assert.equal(s.host, "0.0.0.0");
  assert.equal(s.port, 9000);
  assert.equal(s.maxConcurrentRuns, 3);
  assert.equal(s.maxQueuedRuns, 0);
  assert.equal(s.killGraceSeconds, 1.5);
  assert.equal(s.runTimeoutSeconds, 60);
  assert.equal(s.logMaxBytes, 2048);
  assert.equal(s.retentionDays, 7);
});

Deno.test("parseSettings: port 0 (pick a free port) and 65535 are accepted, surrounding spaces trimmed", () => {
  assert.equal(parseSettings({ PRISMQ_PORT: "0" }, CWD, "linux").port, 0);
  assert.equal(parseSettings({ PRISMQ_PORT: "65535" }, CWD, "linux").port, 65535);
  assert.equal(parseSettings({ PRISMQ_PORT: " 9001 " }, CWD, "linux").port, 9001);
});

Deno.test("parseSettings: a bad PRISMQ_PORT is refused naming the variable", () => {
  for (const bad of ["abc", "-1", "65536", "80.5", "1e3", "8000x"]) {
    assertRefused("PRISMQ_PORT", bad);
  }
});

Deno.test("parseSettings: a bad PRISMQ_MAX_CONCURRENT_RUNS is refused naming the variable", () => {
  for (const bad of ["0", "-2", "abc", "2.5"]) assertRefused("PRISMQ_MAX_CONCURRENT_RUNS", bad);
});

Deno.test("parseSettings: a bad PRISMQ_MAX_QUEUED_RUNS is refused naming the variable", () => {
  for (const bad of ["-1", "many", "1.5"]) assertRefused("PRISMQ_MAX_QUEUED_RUNS", bad);
});

Deno.test("parseSettings: a bad PRISMQ_KILL_GRACE_SECONDS is refused naming the variable", () => {
  for (const bad of ["-1", "abc", "5s"]) assertRefused("PRISMQ_KILL_GRACE_SECONDS", bad);
});

Deno.test("parseSettings: a bad PRISMQ_RUN_TIMEOUT_SECONDS is refused naming the variable", () => {
  for (const bad of ["-5", "forever", "1h", "3000000"]) {
    assertRefused("PRISMQ_RUN_TIMEOUT_SECONDS", bad);
  }
});

Deno.test("parseSettings: a bad PRISMQ_LOG_MAX_BYTES is refused naming the variable", () => {
  for (const bad of ["-1", "100MB", "1.5"]) assertRefused("PRISMQ_LOG_MAX_BYTES", bad);
});

Deno.test("parseSettings: a bad PRISMQ_RETENTION_DAYS is refused naming the variable", () => {
  for (const bad of ["-1", "month"]) assertRefused("PRISMQ_RETENTION_DAYS", bad);
});

Deno.test("parseSettings: an empty or blank value means the default", () => {
  const s = parseSettings(
    {
      PRISMQ_HOST: "",
      PRISMQ_PORT: "",
      PRISMQ_MODULES: " ",
      PRISMQ_DATA_DIR: "",
      PRISMQ_KV_PATH: "",
      PRISMQ_PYTHON: "",
      PRISMQ_MAX_CONCURRENT_RUNS: "",
      PRISMQ_MAX_QUEUED_RUNS: "",
      PRISMQ_KILL_GRACE_SECONDS: "",
      PRISMQ_RUN_TIMEOUT_SECONDS: "",
      PRISMQ_LOG_MAX_BYTES: "",
      PRISMQ_RETENTION_DAYS: "",
      PRISMQ_CORS_ORIGINS: "",
      PRISMQ_API_TOKEN: "",
    },
    CWD,
    "windows",
  );
  assert.deepEqual(s, parseSettings({}, CWD, "windows"));
  assert.equal(s.port, 8000);
  assert.equal(s.python, "python");
  assert.equal(s.apiToken, null);
});

Deno.test("parseSettings: relative paths are resolved against the cwd parameter", () => {
  const s = parseSettings(
    {
      PRISMQ_MODULES: "conf/mods.json",
      PRISMQ_DATA_DIR: "../state",
      PRISMQ_KV_PATH: "db/custom.kv",
    },
    CWD,
    "linux",
  );
  assert.equal(s.modulesPath, resolve(CWD, "conf/mods.json"));
  assert.equal(s.dataDir, resolve(CWD, "../state"));
  assert.equal(s.kvPath, resolve(CWD, "db/custom.kv"));
  const other = resolve("/elsewhere");
  assert.equal(
    parseSettings({ PRISMQ_MODULES: "m.json" }, other, "linux").modulesPath,
    resolve(other, "m.json"),
  );
});

Deno.test("parseSettings: absolute paths are kept", () => {
  const modules = resolve("/etc/prismq/modules.json");
  const kv = resolve("/var/db/prismq.kv");
  const s = parseSettings({ PRISMQ_MODULES: modules, PRISMQ_KV_PATH: kv }, CWD, "linux");
  assert.equal(s.modulesPath, modules);
  assert.equal(s.kvPath, kv);
});

Deno.test("parseSettings: :memory: and KV Connect URLs are kept as is", () => {
  assert.equal(parseSettings({ PRISMQ_KV_PATH: ":memory:" }, CWD, "linux").kvPath, ":memory:");
  const url = "https://api.deno.com/databases/abc/connect";
  assert.equal(parseSettings({ PRISMQ_KV_PATH: url }, CWD, "linux").kvPath, url);
  const local = "http://localhost:4512";
  assert.equal(parseSettings({ PRISMQ_KV_PATH: local }, CWD, "linux").kvPath, local);
  assert.equal(isRemoteOrMemory(":memory:"), true);
  assert.equal(isRemoteOrMemory(url), true);
  assert.equal(isRemoteOrMemory("data/runner.kv"), false);
  assert.equal(isRemoteOrMemory("/abs/runner.kv"), false);
});

Deno.test("parseSettings: CORS origins are split on commas, trimmed, empties dropped", () => {
  const s = parseSettings(
    { PRISMQ_CORS_ORIGINS: " https://a.example , http://b.example:8080,, " },
    CWD,
    "linux",
  );
  assert.deepEqual(s.corsOrigins, ["https://a.example", "http://b.example:8080"]);
  assert.deepEqual(
    parseSettings({ PRISMQ_CORS_ORIGINS: "https://only.example" }, CWD, "linux").corsOrigins,
    ["https://only.example"],
  );
});

Deno.test("parseSettings: API token set or unset", () => {
  assert.equal(parseSettings({ PRISMQ_API_TOKEN: "s3cret" }, CWD, "linux").apiToken, "s3cret");
  assert.equal(parseSettings({}, CWD, "linux").apiToken, null);
  assert.equal(parseSettings({ PRISMQ_API_TOKEN: undefined }, CWD, "linux").apiToken, null);
});

Deno.test("parseSettings: unrelated environment variables are ignored", () => {
  const s = parseSettings({ PATH: "/usr/bin", PRISMQ_UNKNOWN: "x", HOME: "/root" }, CWD, "linux");
  assert.deepEqual(s, parseSettings({}, CWD, "linux"));
});

Deno.test("cliOverrides: '--name value' and '--name=value' map to PRISMQ_ variables", () => {
  assert.deepEqual(cliOverrides(["--port", "9000"]), { PRISMQ_PORT: "9000" });
  assert.deepEqual(cliOverrides(["--data-dir=x"]), { PRISMQ_DATA_DIR: "x" });
  assert.deepEqual(
    cliOverrides(["--host", "0.0.0.0", "--max-concurrent-runs=4", "--kv-path", ":memory:"]),
    { PRISMQ_HOST: "0.0.0.0", PRISMQ_MAX_CONCURRENT_RUNS: "4", PRISMQ_KV_PATH: ":memory:" },
  );
  // A value after '=' may itself contain '='.
  assert.deepEqual(cliOverrides(["--api-token=a=b"]), { PRISMQ_API_TOKEN: "a=b" });
  assert.deepEqual(cliOverrides([]), {});
});

Deno.test("cliOverrides: the CLI value overrides the environment", () => {
  const env = { PRISMQ_PORT: "8001", PRISMQ_HOST: "0.0.0.0", PRISMQ_API_TOKEN: "t" };
  const s = parseSettings({ ...env, ...cliOverrides(["--port", "9000"]) }, CWD, "linux");
  assert.equal(s.port, 9000);
  assert.equal(s.host, "0.0.0.0");
});

Deno.test("cliOverrides: an unknown option is refused", () => {
  assert.throws(
    () => cliOverrides(["--colour", "red"]),
    (err: unknown) => err instanceof ConfigError && /unknown option --colour/.test(err.message),
  );
  assert.throws(
    () => cliOverrides(["--bogus=1"]),
    (err: unknown) => err instanceof ConfigError && /--bogus/.test(err.message),
  );
});

Deno.test("cliOverrides: an option without its value is refused", () => {
  assert.throws(
    () => cliOverrides(["--port"]),
    (err: unknown) => err instanceof ConfigError && /--port needs a value/.test(err.message),
  );
  assert.throws(
    () => cliOverrides(["--port", "--host", "x"]),
    (err: unknown) => err instanceof ConfigError && /--port needs a value/.test(err.message),
  );
});

Deno.test("cliOverrides: a bare argument is refused", () => {
  assert.throws(
    () => cliOverrides(["9000"]),
    (err: unknown) => err instanceof ConfigError && /unexpected argument "9000"/.test(err.message),
  );
});

Deno.test("cliOverrides: a bad value given on the CLI is refused by parseSettings naming the variable", () => {
  assert.throws(
    () => parseSettings(cliOverrides(["--port=abc"]), CWD, "linux"),
    (err: unknown) => err instanceof ConfigError && err.message.includes("PRISMQ_PORT"),
  );
});

Deno.test("PRISMQ_CORS_ORIGINS entries are read as browsers send origins", () => {
  const s = parseSettings({
    PRISMQ_CORS_ORIGINS: "http://LocalHost:5173/, https://app.example.com:443/x, *",
  });
  assert.deepEqual(s.corsOrigins, ["http://localhost:5173", "https://app.example.com", "*"]);
});

Deno.test("PRISMQ_HOST_ID and PRISMQ_HOST_TIMEOUT_SECONDS are checked", () => {
  assert.equal(parseSettings({}).hostId, null);
  assert.equal(parseSettings({}).hostTimeoutSeconds, 15);
  assert.equal(parseSettings({ PRISMQ_HOST_ID: "gpu-1:8000" }).hostId, "gpu-1:8000");
  assert.throws(() => parseSettings({ PRISMQ_HOST_ID: "a b" }), /PRISMQ_HOST_ID/);
  assert.throws(() => parseSettings({ PRISMQ_HOST_TIMEOUT_SECONDS: "0" }), /at least 1 second/);
});
