/**
 * Two servers side by side: the code of two trees (say a checkout of main and this one) started at
 * once, measured in turns in the same run with a bare `Deno.serve` and a raw spawn, so that the
 * load of other work on the machine falls on both alike. It prints, per round, the rate of
 * `GET /api/runs/{id}` (32 connections) for each server and for the bare server, and each
 * server's CPU time per request (from /proc/<pid>/stat, which load disturbs far less than wall
 * time); then `POST .../run` p50 and the launch overhead against a raw spawn, interleaved.
 *
 *   deno run -A scripts/bench/side_by_side.ts TREE_A TREE_B
 *   env: PY (python, absolute path), ROUNDS (4), LAUNCHES (20 per round), GETMS (2000)
 *
 * Linux only (/proc). Written for issue 22's hot paths (docs/performance.md, "Hot paths").
 */
import { join } from "node:path";

const [treeA, treeB] = Deno.args;
if (!treeA || !treeB) throw new Error("usage: side_by_side.ts TREE_A TREE_B");
const python = Deno.env.get("PY") ?? "python3";
const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 4);
const LAUNCHES = Number(Deno.env.get("LAUNCHES") ?? 20);
const GETMS = Number(Deno.env.get("GETMS") ?? 2000);
const firstLine = join(import.meta.dirname!, "modules", "first_line.py");
const FINAL = ["completed", "failed", "cancelled"];

const pct = (a: number[], q: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(q * (s.length - 1))];
};
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(tree: string) {
  const tmp = Deno.makeTempDirSync();
  const module = { id: "first-line", name: "b", description: "b", category: "B" };
  Deno.writeTextFileSync(
    `${tmp}/m.json`,
    JSON.stringify({ modules: [{ ...module, script_path: firstLine, parameters: [] }] }),
  );
  const env = {
    PRISMQ_HOST: "127.0.0.1",
    PRISMQ_PORT: "0",
    PRISMQ_MODULES: `${tmp}/m.json`,
    PRISMQ_DATA_DIR: `${tmp}/data`,
    PRISMQ_PYTHON: python,
  };
  const args = ["run", "-A", "--no-code-cache", "--v8-flags=--max-semi-space-size=1", "main.ts"];
  const child = new Deno.Command("deno", { args, env, stdout: "piped", stderr: "null", cwd: tree })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let port = 0;
  while (!port) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server of ${tree} ended: ${seen}`);
    seen += value;
    port = Number(seen.match(/127\.0\.0\.1:(\d+)/)?.[1] ?? 0);
  }
  (async () => {
    while (!(await reader.read()).done);
  })();
  const cpuMs = () => {
    const f = Deno.readTextFileSync(`/proc/${child.pid}/stat`).split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
  };
  return { base: `http://127.0.0.1:${port}`, child, cpuMs };
}

async function post(base: string) {
  const t0 = performance.now();
  const w0 = Date.now();
  const res = await fetch(`${base}/api/modules/first-line/run`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"parameters":{}}',
  });
  const run = await res.json();
  const wall = performance.now() - t0;
  if (res.status !== 202) throw new Error(JSON.stringify(run));
  for (;;) {
    await wait(20);
    const view = await (await fetch(`${base}/api/runs/${run.run_id}`)).json();
    if (FINAL.includes(view.status)) break;
  }
  const page: { logs: { stream: string; message: string }[] } =
    await (await fetch(`${base}/api/runs/${run.run_id}/logs?after=0&limit=20`)).json();
  const line = page.logs.find((l) => l.stream === "stdout")!.message;
  return { id: run.run_id as string, wall, launch: Number(line) * 1000 - w0 };
}

async function raw() {
  const w0 = Date.now();
  const out = await new Deno.Command(python, { args: [firstLine], stdout: "piped", stdin: "null" })
    .output();
  return Number(new TextDecoder().decode(out.stdout).split("\n")[0]) * 1000 - w0;
}

async function load(url: string, ms: number, conns = 32): Promise<number> {
  let ok = 0;
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: conns }, async () => {
    while (performance.now() < end) {
      await (await fetch(url)).arrayBuffer();
      ok++;
    }
  }));
  return ok;
}

const servers = { A: await start(treeA), B: await start(treeB) };
const names = ["A", "B"] as const;
const ids = { A: (await post(servers.A.base)).id, B: (await post(servers.B.base)).id };
const body = await (await fetch(`${servers.A.base}/api/runs/${ids.A}`)).text();
const bare = Deno.serve(
  { port: 0, hostname: "127.0.0.1", onListen() {} },
  () => new Response(body, { headers: { "content-type": "application/json" } }),
);
const bareUrl = `http://127.0.0.1:${bare.addr.port}/`;
const acc = Object.fromEntries(
  ["A", "B", "raw"].map((k) => [k, {
    posts: [] as number[],
    launch: [] as number[],
    rps: [] as number[],
    cpuPerReq: [] as number[],
  }]),
);
for (const k of names) await load(`${servers[k].base}/api/runs/${ids[k]}`, 500);
await load(bareUrl, 500);
for (let r = 0; r < ROUNDS; r++) {
  for (const k of r % 2 ? ["B", "bare", "A"] : ["A", "bare", "B"]) {
    if (k === "bare") {
      acc.raw.rps.push(await load(bareUrl, GETMS) / (GETMS / 1000));
      continue;
    }
    const s = servers[k as "A" | "B"];
    const c0 = s.cpuMs();
    const n = await load(`${s.base}/api/runs/${ids[k as "A" | "B"]}`, GETMS);
    acc[k].rps.push(n / (GETMS / 1000));
    acc[k].cpuPerReq.push((s.cpuMs() - c0) * 1000 / n);
  }
  for (let i = 0; i < LAUNCHES; i++) {
    for (const k of [["A", "B", "raw"], ["B", "raw", "A"], ["raw", "A", "B"]][i % 3]) {
      if (k === "raw") acc.raw.launch.push(await raw());
      else {
        const x = await post(servers[k as "A" | "B"].base);
        acc[k].posts.push(x.wall);
        acc[k].launch.push(x.launch);
      }
    }
  }
  const row = (k: "A" | "B") =>
    `${k}: GET ${acc[k].rps.at(-1)!.toFixed(0)} req/s, CPU ${
      acc[k].cpuPerReq.at(-1)!.toFixed(0)
    } µs/req`;
  console.log(
    `round ${r}: ${row("A")} | ${row("B")} | bare ${acc.raw.rps.at(-1)!.toFixed(0)} req/s`,
  );
}
for (const k of names) {
  const a = acc[k];
  const paired = a.launch.map((v, i) => v - acc.raw.launch[i]);
  const ratios = a.rps.map((v, i) => (v / acc.raw.rps[i]).toFixed(2));
  console.log(
    `${k}: POST p50 ${pct(a.posts, 0.5).toFixed(2)} ms; launch overhead, median of paired ` +
      `differences ${pct(paired, 0.5).toFixed(2)} ms; GET / bare by round ${ratios.join(" ")}; ` +
      `CPU per GET ${a.cpuPerReq.map((x) => x.toFixed(0)).join(" ")} µs`,
  );
}
await bare.shutdown();
for (const s of Object.values(servers)) {
  s.child.kill("SIGTERM");
  await s.child.status;
}
