import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startServer, type TestServer, waitFinal, waitFor } from "./helpers.ts";

const SECRET = "s3cret-key";

/** A webhook receiver on 127.0.0.1 that records every request and answers as told. */
function receiver(answer: (n: number) => Promise<number> | number = () => 200) {
  const received: { body: string; headers: Headers; at: number }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.text();
    received.push({ body, headers: req.headers, at: Date.now() });
    return new Response(null, { status: await answer(received.length) });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    received,
    close: () => server.shutdown(),
  };
}

const modules = (hook?: string) => [
  { id: "echo", script: "echo_args.py", parameters: [{ name: "word", type: "text" }] },
  {
    id: "fail",
    script: "exit_code.py",
    parameters: [{ name: "code", type: "number", default: 3 }],
    ...(hook ? { webhook_url: hook } : {}),
  },
];

Deno.test("a final run is POSTed once, signed over the exact body, with a delivery id", async () => {
  const hook = receiver();
  const server = await startServer(modules(), {
    PRISMQ_WEBHOOK_URL: hook.url,
    PRISMQ_WEBHOOK_SECRET: SECRET,
  });
  try {
    const { body } = await server.post("/api/modules/echo/run", { parameters: { word: "é" } });
    const run = await waitFinal(server, body.run_id);
    await waitFor(() => hook.received.length >= 1, 5000, "the delivery");
    const got = hook.received[0];
    const payload = JSON.parse(got.body);
    assert.equal(payload.event, "run.finished");
    assert.deepEqual(payload.run, run);
    assert.equal(got.headers.get("content-type"), "application/json");
    assert.equal(got.headers.get("x-prismq-event"), "run.finished");
    assert.match(got.headers.get("x-prismq-delivery")!, /^[0-9a-z]{20}$/);
    const expected = createHmac("sha256", SECRET).update(got.body).digest("hex");
    assert.equal(got.headers.get("x-prismq-signature"), `sha256=${expected}`);
    const wait = Date.now() + 1500;
    await waitFor(() => Date.now() > wait, 3000, "a second delivery that must not come");
    assert.equal(hook.received.length, 1);
  } finally {
    await server.close();
    await hook.close();
  }
});

Deno.test("a receiver that answers 500 twice then 200 gets three tries with one delivery id", async () => {
  const hook = receiver((n) => n <= 2 ? 500 : 200);
  const server = await startServer(modules(), { PRISMQ_WEBHOOK_URL: hook.url });
  try {
    const { body } = await server.post("/api/modules/echo/run", {});
    await waitFinal(server, body.run_id);
    await waitFor(() => hook.received.length >= 3, 15_000, "three tries");
    const ids = new Set(hook.received.map((r) => r.headers.get("x-prismq-delivery")));
    assert.equal(ids.size, 1, "the same delivery id on every try");
    assert.equal(new Set(hook.received.map((r) => r.body)).size, 1, "the same body");
    assert.ok(hook.received[1].at - hook.received[0].at < 2500, "first retry within 2 s");
    assert.ok(hook.received[2].at - hook.received[1].at < 10_500, "second within 10 s");
    assert.equal(hook.received[0].headers.get("x-prismq-signature"), null, "no secret: unsigned");
  } finally {
    await server.close();
    await hook.close();
  }
});

Deno.test("a receiver that sleeps 8 s delays no run, no other delivery and no request", async () => {
  const release = Promise.withResolvers<void>();
  const slow = receiver(async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([release.promise, new Promise((r) => timer = setTimeout(r, 8000))]);
    clearTimeout(timer);
    return 200;
  });
  const fast = receiver();
  const server = await startServer(modules(slow.url), { PRISMQ_WEBHOOK_URL: fast.url });
  try {
    const first = await server.post("/api/modules/fail/run", {});
    await waitFinal(server, first.body.run_id);
    await waitFor(() => slow.received.length === 1, 5000, "the slow receiver's request");
    const t0 = performance.now();
    const second = await server.post("/api/modules/echo/run", {});
    await waitFinal(server, second.body.run_id);
    await waitFor(() => fast.received.length >= 2, 5000, "both fast deliveries");
    assert.ok(performance.now() - t0 < 4000, "a run and its delivery while the receiver sleeps");
    const health = await server.json("/api/health");
    assert.equal(health.status, 200);
  } finally {
    release.resolve();
    await server.close();
    await slow.close();
    await fast.close();
  }
});

Deno.test("a delivery pending across a server restart is still delivered", async () => {
  let up = false;
  const hook = receiver(() => up ? 200 : 503);
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const env = { PRISMQ_WEBHOOK_URL: hook.url };
  let server = await startServer(modules(), env, { dir });
  try {
    const { body } = await server.post("/api/modules/echo/run", {});
    await waitFinal(server, body.run_id);
    await waitFor(() => hook.received.length >= 1, 5000, "the first try");
  } finally {
    await server.close();
  }
  up = true;
  const before = hook.received.length;
  server = await startServer(modules(), env, { dir });
  try {
    await waitFor(
      () => hook.received.slice(before).length >= 1,
      15_000,
      "the delivery after the restart",
    );
    const ids = new Set(hook.received.map((r) => r.headers.get("x-prismq-delivery")));
    assert.equal(ids.size, 1);
  } finally {
    await server.close();
    await hook.close();
  }
});

/** Parses the text exposition format: families with HELP and TYPE, and every sample. */
function parseMetrics(text: string) {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      if (m[1] === "TYPE") types.set(m[2], m[3]);
      else helps.add(m[2]);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[k] = v;
    }
    const value = Number(m[3]);
    assert.ok(!Number.isNaN(value), `a number: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  for (const s of samples) {
    const family = s.name.replace(/_(bucket|sum|count)$/, "");
    assert.ok(types.has(s.name) || types.has(family), `TYPE of ${s.name}`);
    assert.ok(helps.has(s.name) || helps.has(family), `HELP of ${s.name}`);
  }
  const value = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) =>
      s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
    )?.value;
  return { types, samples, value };
}

async function scrape(server: TestServer, headers: Record<string, string> = {}) {
  const res = await server.request("/metrics", { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

Deno.test("/metrics parses as Prometheus text and its series move with real runs", async () => {
  const server = await startServer(modules(), { PRISMQ_API_TOKEN: "tok" });
  const auth = { authorization: "Bearer tok" };
  try {
    const refused = await server.request("/metrics");
    assert.equal(refused.status, 401, "behind the token");
    await refused.body?.cancel();
    const before = await scrape(server, auth);
    assert.equal(before.types.get("prismq_runs_total"), "counter");
    assert.equal(before.types.get("prismq_runs_running"), "gauge");
    assert.equal(before.types.get("prismq_runs_queued"), "gauge");
    assert.equal(before.types.get("prismq_run_duration_seconds"), "histogram");
    assert.equal(before.types.get("prismq_log_lines_total"), "counter");
    assert.equal(before.value("prismq_webhook_failures_total"), 0);
    assert.ok(before.value("process_resident_memory_bytes")! > 0);
    const post = (id: string) =>
      server.json(`/api/modules/${id}/run`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: "{}",
      });
    for (const id of ["echo", "echo", "fail"]) {
      const { body } = await post(id);
      await waitFor(
        async () => {
          const r = await server.json(`/api/runs/${body.run_id}`, { headers: auth });
          return ["completed", "failed"].includes(r.body.status);
        },
        10_000,
        "the run",
      );
    }
    const after = await scrape(server, auth);
    assert.equal(after.value("prismq_runs_total", { module: "echo", status: "completed" }), 2);
    assert.equal(after.value("prismq_runs_total", { module: "fail", status: "failed" }), 1);
    assert.equal(after.value("prismq_run_duration_seconds_count", { module: "echo" }), 2);
    assert.equal(
      after.value("prismq_run_duration_seconds_bucket", { module: "echo", le: "+Inf" }),
      2,
    );
    assert.ok(after.value("prismq_run_duration_seconds_sum", { module: "echo" })! > 0);
    assert.ok(after.value("prismq_log_lines_total", { module: "echo", stream: "system" })! >= 4);
    assert.ok(after.value("prismq_log_lines_total", { module: "echo", stream: "stdout" })! >= 2);
    assert.equal(after.value("prismq_runs_running"), 0);
  } finally {
    await server.close();
  }
});
