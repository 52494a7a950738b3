// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { keys } from "../src/kv/keys.ts";
import { python, startServer, type TestServer } from "./helpers.ts";
// After the helpers: they load the app, whose schemas zod-openapi must extend first.
import { InputStore } from "../src/runs/input.ts";
import { spawnServer } from "./server_process.ts";

const MODULES = [
  { id: "nap", script: "nap.py", parameters: [{ name: "seconds", type: "number", default: 0 }] },
  { id: "gone", script: "missing_script.py" },
  { id: "filter", script: "stdin_filter.py", stdin: "input" },
];

/**
 * The CPU time (user + system) the process `pid` has used so far, in ms, from /proc/PID/stat
 * (read by `cat`: Deno reads /proc/PID only with --allow-all). Linux; 10 ms clock ticks.
 */
async function processCpuMs(pid: number): Promise<number> {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`] }).output();
  const stat = new TextDecoder().decode(out.stdout);
  // Fields after the command name: state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  assert.ok(out.success && Number.isFinite(ticks), `no CPU times for ${pid}: ${stat}`);
  return ticks * 10;
}

function patch(server: TestServer, id: string, body: unknown) {
  return server.json(`/api/schedules/${id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

Deno.test("concurrent PATCHes of different fields each land whole", async () => {
  const server = await startServer(MODULES);
  try {
    for (let trial = 0; trial < 20; trial++) {
      const created = await server.post("/api/schedules", { module_id: "nap", cron: "0 0 * * *" });
      const id = created.body.schedule_id;
      const answers = await Promise.all([
        patch(server, id, { cron: "5 4 * * *" }),
        patch(server, id, { timezone: "Europe/Prague" }),
        patch(server, id, { overlap: "queue" }),
        patch(server, id, { parameters: { seconds: 7 } }),
        patch(server, id, { enabled: false }),
      ]);
      for (const a of answers) assert.ok(a.status === 200 || a.status === 409, `${a.status}`);
      const landed = answers.map((a) => a.status === 200);
      const stored = (await server.json(`/api/schedules/${id}`)).body;
      const expect = (i: number, field: any, changed: any, initial: any) =>
        assert.deepEqual(field, landed[i] ? changed : initial, `trial ${trial}, change ${i}`);
      expect(0, stored.cron, "5 4 * * *", "0 0 * * *");
      expect(1, stored.timezone, "Europe/Prague", "UTC");
      expect(2, stored.overlap, "queue", "skip");
      expect(3, stored.parameters, { seconds: 7 }, { seconds: 0 });
      expect(4, stored.enabled, false, true);
      if (!landed[4]) continue;
      assert.equal(stored.next_run_at, null, "an acknowledged enabled: false is kept");
    }
  } finally {
    await server.close();
  }
});

Deno.test("concurrent PATCHes with inputs: the stored record's input is always there, whole", async () => {
  const server = await startServer(MODULES);
  const kv = server.runner.kv;
  try {
    for (let trial = 0; trial < 10; trial++) {
      const created = await server.post("/api/schedules", {
        module_id: "filter",
        cron: "0 0 * * *",
        input: [{ first: true }],
      });
      const id = created.body.schedule_id;
      // Inputs of several parts each, so that writes and prunes overlap.
      const inputs = [0, 1, 2, 3].map((i) => [{ patch: i, pad: String(i).repeat(200_000) }]);
      const answers = await Promise.all(inputs.map((input) => patch(server, id, { input })));
      for (const a of answers) assert.ok(a.status === 200 || a.status === 409, `${a.status}`);
      const record = (await kv.get<any>(keys.schedule(id))).value;
      const prefix = [...keys.scheduleInputPrefix(id), record.input_version];
      const bytes = await new InputStore(kv).read(prefix);
      assert.equal(bytes.length, record.input_bytes, `trial ${trial}: the record's input is whole`);
      const stored = JSON.parse(new TextDecoder().decode(bytes));
      assert.ok(answers[stored[0].patch].status === 200, `trial ${trial}: a landed PATCH's input`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("a PATCH's input prunes versions no record points at once they are a minute old", async () => {
  const server = await startServer(MODULES);
  const kv = server.runner.kv;
  try {
    const created = await server.post("/api/schedules", {
      module_id: "filter",
      cron: "0 0 * * *",
      input: [1],
    });
    const id = created.body.schedule_id;
    // Left by PATCHes that crashed: one long ago (a version of before versions carried a time),
    // one that may still be on its way to its record.
    const old = "0123456789";
    const young = `${Date.now().toString(36).padStart(9, "0")}-abcdefghij`;
    for (const version of [old, young]) {
      await kv.set(keys.scheduleInputPart(id, version, 0), new Uint8Array([1]));
    }
    const patched = await patch(server, id, { input: [2] });
    assert.equal(patched.status, 200);
    const versions = new Set<unknown>();
    const prefix = keys.scheduleInputPrefix(id);
    for await (const e of kv.list({ prefix })) versions.add(e.key[prefix.length]);
    const current = (await kv.get<any>(keys.schedule(id))).value.input_version;
    assert.deepEqual([...versions].sort(), [current, young].sort());
  } finally {
    await server.close();
  }
});

Deno.test("a DELETE that answered 200 stays deleted: a racing PATCH answers 404, never revives it", async () => {
  const server = await startServer(MODULES);
  try {
    for (let trial = 0; trial < 20; trial++) {
      const created = await server.post("/api/schedules", { module_id: "nap", cron: "0 0 * * *" });
      const id = created.body.schedule_id;
      const [p1, del, p2] = await Promise.all([
        patch(server, id, { cron: "1 1 * * *" }),
        server.json(`/api/schedules/${id}`, { method: "DELETE" }),
        patch(server, id, { enabled: false }),
      ]);
      assert.equal(del.status, 200);
      for (const p of [p1, p2]) assert.ok([200, 404, 409].includes(p.status), `${p.status}`);
      assert.equal((await server.json(`/api/schedules/${id}`)).status, 404, `trial ${trial}`);
      const late = await patch(server, id, { enabled: true });
      assert.equal(late.status, 404);
      assert.equal(late.body.error_code, "SCHEDULE_NOT_FOUND");
    }
    assert.equal((await server.json("/api/schedules")).body.total, 0);
  } finally {
    await server.close();
  }
});

Deno.test("a schedule of an unavailable module, or with a cron that never fires, is refused", async () => {
  const server = await startServer(MODULES);
  try {
    const gone = await server.post("/api/schedules", { module_id: "gone", cron: "* * * * * *" });
    assert.equal(gone.status, 422);
    assert.equal(gone.body.error_code, "MODULE_UNAVAILABLE");
    assert.match(gone.body.detail, /script not found/);
    const never = await server.post("/api/schedules", { module_id: "nap", cron: "0 0 31 2 *" });
    assert.equal(never.status, 422);
    assert.equal(never.body.error_code, "VALIDATION_ERROR");
    assert.equal(never.body.errors[0].field, "cron");
    const ok = await server.post("/api/schedules", { module_id: "nap", cron: "0 0 29 2 *" });
    assert.equal(ok.status, 201, "a leap day does come");
    const moved = await patch(server, ok.body.schedule_id, { module_id: "gone" });
    assert.equal(moved.status, 422);
    assert.equal(moved.body.error_code, "MODULE_UNAVAILABLE");
    const patched = await patch(server, ok.body.schedule_id, { cron: "0 0 30 2 *" });
    assert.equal(patched.body.errors[0].field, "cron");
    assert.equal((await server.json("/api/schedules")).body.total, 1);
  } finally {
    await server.close();
  }
});

/** Stores `count` disabled schedules straight into KV (the API would take a while). */
async function storeSchedules(kv: Deno.Kv, count: number): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    const op = kv.atomic();
    for (let j = i; j < Math.min(count, i + 500); j++) {
      const id = `s${String(j).padStart(6, "0")}`;
      op.set(keys.schedule(id), {
        schedule_id: id,
        module_id: j % 2 === 0 ? "nap" : "other",
        cron: "0 0 * * *",
        timezone: "UTC",
        parameters: { seconds: 0, note: "x".repeat(100) },
        enabled: false,
        overlap: "skip",
        last_run_at: null,
        last_run_id: null,
        created_at: j,
        updated_at: j,
        skipped_fires: 0,
        refused_fires: 0,
      });
    }
    await op.sum(keys.scheduleVersion(), 1n).commit();
  }
}

Deno.test("GET /api/schedules pages with limit and cursor; at most 1000 without limit", async () => {
  const server = await startServer(MODULES);
  try {
    await storeSchedules(server.runner.kv, 2_500);
    const first = await server.json("/api/schedules");
    assert.equal(first.status, 200);
    assert.equal(first.body.schedules.length, 1000);
    assert.equal(first.body.total, 2_500);
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=700${cursor ? `&cursor=${cursor}` : ""}`;
      const page: any = (await server.json(`/api/schedules${query}`)).body;
      assert.ok(page.schedules.length <= 700);
      assert.equal(page.total, 2_500);
      for (const s of page.schedules) seen.add(s.schedule_id);
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 4);
    assert.equal(seen.size, 2_500, "every schedule once");
    const nap = await server.json("/api/schedules?module_id=nap&limit=1000");
    assert.equal(nap.body.total, 1_250);
    assert.ok(nap.body.schedules.every((s: any) => s.module_id === "nap"));
    const next = await server.json(`/api/schedules?module_id=nap&cursor=${nap.body.next_cursor}`);
    assert.equal(next.body.schedules.length, 250);
    assert.equal(next.body.next_cursor, null);
    for (const bad of ["limit=0", "limit=1001", "cursor=..%2F", "limit=x"]) {
      const res = await server.json(`/api/schedules?${bad}`);
      assert.equal(res.status, 422, bad);
    }
  } finally {
    await server.close();
  }
});

Deno.test("10,000 idle schedules cost no measurable CPU: the refresh reads one version key", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const writer = await startServer(MODULES, {}, { dir });
  await storeSchedules(writer.runner.kv, 10_000);
  await writer.close();
  // The server as a process of its own: its CPU time is the server's alone, whatever else this
  // test process does (`deno test --parallel` runs other test files in threads of this process).
  const server = await spawnServer({
    PRISMQ_MODULES: join(dir, "modules.json"),
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PYTHON: python(),
  });
  try {
    await delay(500); // the start's own reading of the schedules is over
    const before = await processCpuMs(server.child.pid);
    const t0 = performance.now();
    await delay(6_000); // three refreshes: a window of time is what is measured here
    const ms = await processCpuMs(server.child.pid) - before;
    const share = ms / (performance.now() - t0);
    console.log(`idle with 10,000 schedules: ${ms.toFixed(0)} ms of CPU in 6 s`);
    assert.ok(share < 0.02, `${(share * 100).toFixed(1)} % of a core while idle`);
    // A change through the API is still seen (and the timer's view follows it).
    const created = await fetch(`${server.url}/api/schedules`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ module_id: "nap", cron: "0 0 * * *" }),
    });
    assert.equal(created.status, 201);
    await created.body?.cancel();
    const total = (await (await fetch(`${server.url}/api/schedules?limit=1`)).json()).total;
    assert.equal(total, 10_001);
  } finally {
    await server.stop("SIGTERM");
  }
});
