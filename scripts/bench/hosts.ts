/**
 * Row: several runner hosts on one KV file. Throughput of trivial runs with one host and with
 * three on this machine (same per-host limit, submissions spread round-robin), and what the
 * shared-store polls cost an idle host (CPU seconds a minute with nothing queued).
 */
import { setTimeout as delay } from "node:timers/promises";
import { join } from "node:path";
import type { Context } from "./context.ts";
import { HttpError, statusCounts, submit, waitIdle } from "./http.ts";
import { pool } from "./load.ts";
import { info, type RowResult } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtRatio, round } from "./stats.ts";

/** CPU seconds (user + system) a process has used, from /proc (Linux); null elsewhere. */
async function cpuSeconds(pid: number): Promise<number | null> {
  if (Deno.build.os !== "linux") return null;
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`], stdout: "piped" })
    .output();
  if (!out.success) return null;
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const text = new TextDecoder().decode(out.stdout);
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs `count` trivial runs spread over `servers`; runs a second and the status counts. */
async function measure(servers: BenchServer[], count: number, conns: number) {
  let submitted = 0;
  let refused = 0;
  const start = performance.now();
  await pool(conns, async (worker) => {
    while (submitted < count) {
      const server = servers[submitted++ % servers.length] ?? servers[worker % servers.length];
      try {
        await submit(server.url, "trivial");
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        refused++;
      }
    }
  });
  await waitIdle(servers[0].url, { timeoutMs: 120_000 + count * 200, everyMs: 20 });
  const seconds = (performance.now() - start) / 1000;
  const counts = await statusCounts(servers[0].url);
  return { seconds, rate: counts.completed / seconds, counts, refused };
}

/** Measures the hosts row into `row`. */
export async function benchHosts(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.throughputRuns;
  const conns = ctx.size.throughputConnections;
  const env = (id: string, kvPath: string) => ({
    PRISMQ_MAX_CONCURRENT_RUNS: "10",
    PRISMQ_MAX_QUEUED_RUNS: String(n + 100),
    PRISMQ_HOST_ID: id,
    PRISMQ_KV_PATH: kvPath,
  });

  const single = await BenchServer.start(ctx, "hosts-1", {
    env: env("solo", join(ctx.tmp, "hosts-1.kv")),
  });
  const one = await measure([single], n, conns);
  await single.stop();
  single.noteStderr(row);

  const shared = join(ctx.tmp, "hosts-3.kv");
  const three = await Promise.all(
    ["a", "b", "c"].map((id) => BenchServer.start(ctx, `hosts-${id}`, { env: env(id, shared) })),
  );
  const many = await measure(three, n, conns);

  // Idle: nothing queued or running anywhere; only heartbeats and the polls run.
  const idleSeconds = ctx.options.quick ? 5 : 20;
  await delay(1000);
  const before = await Promise.all(three.map((s) => cpuSeconds(s.pid)));
  await delay(idleSeconds * 1000);
  const after = await Promise.all(three.map((s) => cpuSeconds(s.pid)));
  const perMinute = before.map((b, i) =>
    b === null || after[i] === null ? null : (after[i]! - b) * 60 / idleSeconds
  );
  for (const s of three) {
    await s.stop();
    s.noteStderr(row);
  }

  const ratio = many.rate / one.rate;
  row.details = { runs: n, connections: conns, one, three: many, idle_cpu_s_per_min: perMinute };
  row.measures.push({
    measure: `throughput, 3 hosts on one KV file vs 1 (${n} trivial runs, limit 10 each)`,
    server: `${many.rate.toFixed(1)} runs/s`,
    raw: `${one.rate.toFixed(1)} runs/s (1 host)`,
    compare: fmtRatio(ratio),
    target: "info (2 cores)",
    result: "INFO",
    values: {
      three_hosts_runs_per_s: round(many.rate, 1),
      one_host_runs_per_s: round(one.rate, 1),
    },
  });
  if (many.counts.completed !== n || one.counts.completed !== n) {
    row.notes.push(
      `hosts: completed ${one.counts.completed} (1 host) and ${many.counts.completed} (3 hosts) ` +
        `of ${n}; refused ${one.refused} and ${many.refused}`,
    );
  }
  const idle = perMinute.filter((v): v is number => v !== null);
  row.measures.push(
    info(
      `idle cost of a host (heartbeat, queue and cancel polls), over ${idleSeconds} s`,
      idle.length === 0
        ? "n/a (no /proc)"
        : `${idle.map((v) => v.toFixed(2)).join(" / ")} CPU s per minute`,
    ),
  );
}
