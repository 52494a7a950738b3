import assert from "node:assert/strict";
import { parseSettings } from "../src/settings.ts";
import { startServer, type TestServer, waitFinal } from "./helpers.ts";
import { rawRequest } from "./raw_http.ts";
import { runServerToExit } from "./server_process.ts";

const MODULES = [
  { id: "echo", script: "echo_args.py", parameters: [{ name: "word", type: "text" }] },
  { id: "slow", script: "sleeper.py", parameters: [{ name: "seconds", type: "number" }] },
  { id: "secretive", script: "echo_args.py", env: { API_KEY: "s3cr3t-value", MODE: "x" } },
];
const EVIL = "http://evil.example";

async function runCount(server: TestServer): Promise<number> {
  return (await server.json("/api/runs")).body.total;
}

function post(server: TestServer, path: string, headers: Record<string, string>, body: string) {
  return server.json(path, { method: "POST", headers, body });
}

Deno.test("a body that is not application/json is 415 UNSUPPORTED_MEDIA_TYPE and starts nothing", async () => {
  const server = await startServer(MODULES);
  try {
    const body = JSON.stringify({ parameters: { word: "x" } });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]) {
      const res = await post(server, "/api/modules/echo/run", { "content-type": type }, body);
      assert.equal(res.status, 415, type);
      assert.equal(res.body.error_code, "UNSUPPORTED_MEDIA_TYPE");
    }
    const none = await server.json("/api/modules/echo/run", {
      method: "POST",
      body: new Blob([body]),
    });
    assert.equal(none.status, 415, "no content type at all");
    const config = await post(
      server,
      "/api/modules/echo/config",
      { "content-type": "text/plain" },
      JSON.stringify({ parameters: { word: "changed" } }),
    );
    assert.equal(config.status, 415);
    assert.equal((await server.json("/api/modules/echo/config")).body.updated_at, null);
    assert.equal(await runCount(server), 0, "nothing was started");

    const ok = await post(server, "/api/modules/echo/run", {
      "content-type": "application/json; charset=utf-8",
    }, body);
    assert.equal(ok.status, 202, "parameters of the JSON type are fine");
    await waitFinal(server, ok.body.run_id);
  } finally {
    await server.close();
  }
});

Deno.test("a state-changing request from a foreign Origin is 403 FORBIDDEN_ORIGIN; allowed and own origins pass", async () => {
  const server = await startServer(MODULES, { PRISMQ_CORS_ORIGINS: "http://localhost:5173" });
  try {
    const json = { "content-type": "application/json" };
    const body = JSON.stringify({ parameters: { seconds: 30 } });
    const evil = await post(server, "/api/modules/slow/run", { ...json, origin: EVIL }, body);
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error_code, "FORBIDDEN_ORIGIN");
    const nullOrigin = await post(
      server,
      "/api/modules/slow/run",
      { ...json, origin: "null" },
      body,
    );
    assert.equal(nullOrigin.status, 403, "a sandboxed frame sends Origin: null");
    const config = await post(
      server,
      "/api/modules/echo/config",
      { ...json, origin: EVIL },
      JSON.stringify({ parameters: { word: "x" } }),
    );
    assert.equal(config.status, 403);
    assert.equal(await runCount(server), 0);

    const own = await post(server, "/api/modules/slow/run", { ...json, origin: server.url }, body);
    assert.equal(own.status, 202, "the server's own origin");
    const allowed = await post(server, "/api/modules/echo/run", {
      ...json,
      origin: "http://localhost:5173",
    }, "{}");
    assert.equal(allowed.status, 202, "an origin of PRISMQ_CORS_ORIGINS");
    const noOrigin = await server.post("/api/modules/echo/run", {});
    assert.equal(noOrigin.status, 202, "curl and scripts send no Origin");

    const cancel = await server.json(`/api/runs/${own.body.run_id}`, {
      method: "DELETE",
      headers: { origin: EVIL },
    });
    assert.equal(cancel.status, 403, "a foreign page cannot cancel");
    assert.equal((await server.json(`/api/runs/${own.body.run_id}`)).body.status, "running");
    const read = await server.json(`/api/runs/${own.body.run_id}`, { headers: { origin: EVIL } });
    assert.equal(read.status, 200, "reads are left to CORS and the Host check");
    const ownCancel = await server.json(`/api/runs/${own.body.run_id}`, {
      method: "DELETE",
      headers: { origin: server.url },
    });
    assert.equal(ownCancel.body.status, "cancelled");
  } finally {
    await server.close();
  }
});

Deno.test("PRISMQ_CORS_ORIGINS=* lets every origin through", async () => {
  const server = await startServer(MODULES, { PRISMQ_CORS_ORIGINS: "*" });
  try {
    const res = await post(server, "/api/modules/echo/run", {
      "content-type": "application/json",
      origin: EVIL,
    }, "{}");
    assert.equal(res.status, 202);
    await waitFinal(server, res.body.run_id);
  } finally {
    await server.close();
  }
});

Deno.test("bound to loopback, a foreign Host is 403 FORBIDDEN_HOST on every route (DNS rebinding)", async () => {
  const server = await startServer(MODULES, { PRISMQ_ALLOWED_HOSTS: "runner.lan" });
  try {
    const port = new URL(server.url).port;
    for (
      const path of [
        "/api/health",
        "/api/modules",
        "/api/runs",
        "/docs",
        "/openapi.json",
        "/",
        "/runs",
        "/ui/assets/api.js",
        "/nope",
      ]
    ) {
      const res = await rawRequest(server.url, { path, headers: { host: `evil.example:${port}` } });
      assert.equal(res.status, 403, path);
      assert.equal(JSON.parse(res.body).error_code, "FORBIDDEN_HOST", path);
      assert.doesNotMatch(res.body, /s3cr3t/);
    }
    const rebound = await rawRequest(server.url, {
      path: "/api/modules/echo/run",
      method: "POST",
      headers: { host: "evil.example", "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(rebound.status, 403);
    assert.equal(await runCount(server), 0);
    for (
      const host of [
        `localhost:${port}`,
        `127.0.0.1:${port}`,
        `[::1]:${port}`,
        "LOCALHOST",
        "runner.lan:8000",
      ]
    ) {
      const res = await rawRequest(server.url, { path: "/api/health", headers: { host } });
      assert.equal(res.status, 200, host);
    }
    const missing = await rawRequest(server.url, { path: "/api/health", headers: { host: "" } });
    assert.equal(
      missing.status === 403 || missing.status === 400,
      true,
      "an empty Host is not served",
    );
  } finally {
    await server.close();
  }
});

Deno.test("bound to another address with a token, the Host is not checked", async () => {
  const server = await startServer(MODULES, { PRISMQ_HOST: "0.0.0.0", PRISMQ_API_TOKEN: "t0ken" });
  try {
    const res = await rawRequest(server.url, {
      path: "/api/health",
      headers: { host: "runner.lan:8000" },
    });
    assert.equal(res.status, 200);
  } finally {
    await server.close();
  }
});

Deno.test("a non-loopback bind without PRISMQ_API_TOKEN is refused with one line", async () => {
  assert.throws(() => parseSettings({ PRISMQ_HOST: "0.0.0.0" }), /PRISMQ_API_TOKEN/);
  assert.throws(() => parseSettings({ PRISMQ_HOST: "192.168.1.5" }), /PRISMQ_API_TOKEN/);
  assert.equal(parseSettings({ PRISMQ_HOST: "0.0.0.0", PRISMQ_API_TOKEN: "x" }).host, "0.0.0.0");
  for (const host of ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"]) {
    assert.equal(parseSettings({ PRISMQ_HOST: host }).host, host);
  }
  const out = await runServerToExit({
    PRISMQ_HOST: "0.0.0.0",
    PRISMQ_MODULES: "configs/modules.json",
  });
  assert.notEqual(out.code, 0);
  const lines = out.stderr.trim().split("\n");
  assert.equal(lines.length, 1, out.stderr);
  assert.match(lines[0], /PRISMQ_API_TOKEN/);
});

Deno.test("module views show env keys with every value masked", async () => {
  const server = await startServer(MODULES);
  try {
    const one = await server.json("/api/modules/secretive");
    assert.deepEqual(one.body.env, { API_KEY: "********", MODE: "********" });
    const all = await server.request("/api/modules");
    assert.doesNotMatch(await all.text(), /s3cr3t-value/);
  } finally {
    await server.close();
  }
});

Deno.test("pages carry a strict Content-Security-Policy, nosniff and frame-ancestors 'none'", async () => {
  const server = await startServer(MODULES);
  try {
    for (const page of ["/docs", "/", "/modules/echo", "/runs", "/runs/abc"]) {
      const res = await server.request(page);
      assert.equal(res.status, 200, page);
      const html = await res.text();
      const csp = res.headers.get("content-security-policy") ?? "";
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ??
        /default-src ([^;]*)/.exec(csp)?.[1];
      assert.ok(scriptSrc, csp);
      assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval|\*/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.ok(scripts.length > 0, page);
      for (const [, attrs, inner] of scripts) {
        assert.match(attrs, /src="\/[^/]/, `${page}: every script is a same-origin file`);
        assert.equal(inner.trim(), "", `${page}: no inline script`);
      }
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${page}: no inline event handler`);
    }
  } finally {
    await server.close();
  }
});
