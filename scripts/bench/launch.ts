/** Row 1: launch overhead, request to the script's first line, against a raw spawn. */
import { parseTimestampMs, wallMs } from "./clock.ts";
import type { Context } from "./context.ts";
import { firstStdoutLine, submit, waitFinal } from "./http.ts";
import { rawOutput } from "./raw.ts";
import { info, type Measure, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtMs, fmtSigned, round, roundSummary, summarize } from "./stats.ts";
import { bareCommitPosts, onRamStore, syncedCommitMs } from "./post_floor.ts";

/** Launch samples against one server, each beside a raw spawn (alternating which goes first). */
export interface LaunchSamples {
  raw: number[];
  srv: number[];
  post: number[];
  rawLife: number[];
  firstPollMs: number;
}

/** `n` launches of the first-line module on the server at `base`, each paired with a raw one. */
export async function sampleLaunches(
  ctx: Context,
  base: string,
  n: number,
): Promise<LaunchSamples> {
  const out: LaunchSamples = { raw: [], srv: [], post: [], rawLife: [], firstPollMs: 15 };
  // The server's run is polled for its end; polling starts only when the raw script has usually
  // exited, so the polls do not compete with Python's start-up for the 2 cores.
  const rawSample = async () => {
    const t0 = wallMs();
    const text = await rawOutput(ctx, ctx.scripts.firstLine);
    out.rawLife.push(wallMs() - t0);
    return parseTimestampMs(text.split("\n")[0]) - t0;
  };
  const serverSample = async () => {
    const t0 = wallMs();
    const run = await submit(base, "first-line");
    const tPost = wallMs();
    const firstMs = out.firstPollMs;
    const final = await waitFinal(base, run.run_id, { firstMs, everyMs: 5 });
    if (final.status !== "completed") {
      throw new Error(`run ${run.run_id} ${final.status}: ${final.error_message}`);
    }
    const line = await firstStdoutLine(base, run.run_id);
    return { overhead: parseTimestampMs(line) - t0, post: tPost - t0 };
  };
  const serverSampleInto = async () => {
    const s = await serverSample();
    out.srv.push(s.overhead);
    out.post.push(s.post);
  };

  for (let i = 0; i < ctx.size.launchWarmup; i++) await rawSample();
  out.firstPollMs = Math.max(5, Math.round(summarize(out.rawLife).p50 * 0.9));
  for (let i = 0; i < ctx.size.launchWarmup; i++) await serverSample();
  for (let i = 0; i < n; i++) {
    // Alternate which goes first so neither always follows the other.
    if (i % 2 === 0) {
      out.raw.push(await rawSample());
      await serverSampleInto();
    } else {
      await serverSampleInto();
      out.raw.push(await rawSample());
    }
  }
  return out;
}

/** Measures the launch row into `row`. */
export async function benchLaunch(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.launchRuns;
  const server = await BenchServer.start(ctx, "launch");
  const { raw, srv, post, rawLife, firstPollMs } = await sampleLaunches(ctx, server.url, n);
  await server.stop();
  server.noteStderr(row);

  const r = summarize(raw);
  const s = summarize(srv);
  const p = summarize(post);
  row.details = {
    runs: n,
    server: roundSummary(s),
    raw: roundSummary(r),
    post: roundSummary(p),
    raw_spawn_to_exit: roundSummary(summarize(rawLife)),
    first_poll_ms: firstPollMs,
  };
  const line = (q: "p50" | "p95" | "p99", limit: number | null): Measure => {
    const diff = s[q] - r[q];
    return {
      measure: `launch overhead ${q} (first line − request, ${n} runs)`,
      server: fmtMs(s[q]),
      raw: fmtMs(r[q]),
      compare: fmtSigned(diff),
      target: limit === null ? "—" : `≤ +${limit} ms`,
      result: limit === null ? "INFO" : verdict(diff <= limit),
      values: { server_ms: round(s[q]), raw_ms: round(r[q]), diff_ms: round(diff) },
    };
  };
  row.measures.push(line("p50", 1.5), line("p95", 5), line("p99", null));
  // Python's own start-up varies by milliseconds; the median of paired differences (each server
  // sample minus the raw sample taken next to it) is a second, noise-robust view of the same.
  const paired = summarize(srv.map((v, i) => v - raw[i]));
  row.details.paired_diff = roundSummary(paired);
  row.measures.push({
    measure: "launch overhead, median of paired differences (server − adjacent raw)",
    server: "—",
    raw: "—",
    compare: fmtSigned(paired.p50),
    target: "—",
    result: "INFO",
    values: { paired_p50_ms: round(paired.p50) },
  });
  row.measures.push({
    measure: `POST /run round trip p50 (p99), ${n} runs`,
    server: `${fmtMs(p.p50)} (${fmtMs(p.p99)})`,
    raw: "—",
    compare: "—",
    target: "≤ 3 ms",
    result: verdict(p.p50 <= 3),
    values: { post_p50_ms: round(p.p50), post_p99_ms: round(p.p99) },
  });
  // What the 202's durability costs: the synced commit it waits for, and the same requests
  // against a store on a RAM file system, where a commit syncs nothing.
  const commit = await syncedCommitMs(ctx.tmp, Math.min(n, 100));
  row.details.synced_commit = roundSummary(commit);
  row.measures.push(
    info(
      "of which: one synced KV commit shaped like a run's creation, p50 (p99)",
      `${fmtMs(commit.p50)} (${fmtMs(commit.p99)})`,
    ),
  );
  // The floor of the POST goal: no framework and no runner, only the body, the synced commit and
  // the answer, each request after a raw Python run as the server's POSTs above.
  const floor = await bareCommitPosts(
    ctx,
    Math.min(n, 100),
    () => rawOutput(ctx, ctx.scripts.firstLine),
  );
  row.details.bare_commit_post = roundSummary(floor);
  row.measures.push(
    info(
      "floor: bare Deno.serve, same body, same synced commit, 202 (no Hono, no runner), p50 (p99)",
      `${fmtMs(floor.p50)} (${fmtMs(floor.p99)})`,
    ),
  );
  const ram = await onRamStore(ctx, (base) => sampleLaunches(ctx, base, Math.min(n, 100)));
  if (ram !== null) {
    const ramPost = summarize(ram.post);
    const ramPaired = summarize(ram.srv.map((v, i) => v - ram.raw[i]));
    row.details.ram_store = {
      post: roundSummary(ramPost),
      paired_diff: roundSummary(ramPaired),
      runs: ram.srv.length,
    };
    row.measures.push(
      info(
        "the store on /dev/shm (no disk sync): POST p50 (p99) / launch overhead, paired median",
        `${fmtMs(ramPost.p50)} (${fmtMs(ramPost.p99)}) / ${fmtSigned(ramPaired.p50)}`,
      ),
    );
  }
}
