/** Row 1: launch overhead, request to the script's first line, against a raw spawn. */
import { parseTimestampMs, wallMs } from "./clock.ts";
import type { Context } from "./context.ts";
import { firstStdoutLine, submit, waitFinal } from "./http.ts";
import { rawOutput } from "./raw.ts";
import { info, type Measure, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtMs, fmtSigned, round, roundSummary, summarize } from "./stats.ts";
import { postOnRamStore, syncedCommitMs } from "./post_floor.ts";

/** Measures the launch row into `row`. */
export async function benchLaunch(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.launchRuns;
  const server = await BenchServer.start(ctx, "launch");
  const base = server.url;
  const raw: number[] = [];
  const srv: number[] = [];
  const post: number[] = [];

  // The server's run is polled for its end; polling starts only when the raw script has usually
  // exited, so the polls do not compete with Python's start-up for the 2 cores.
  let firstPollMs = 15;
  const rawLife: number[] = [];
  const rawSample = async () => {
    const t0 = wallMs();
    const out = await rawOutput(ctx, ctx.scripts.firstLine);
    rawLife.push(wallMs() - t0);
    return parseTimestampMs(out.split("\n")[0]) - t0;
  };
  const serverSample = async () => {
    const t0 = wallMs();
    const run = await submit(base, "first-line");
    const tPost = wallMs();
    const final = await waitFinal(base, run.run_id, { firstMs: firstPollMs, everyMs: 5 });
    if (final.status !== "completed") {
      throw new Error(`run ${run.run_id} ${final.status}: ${final.error_message}`);
    }
    const line = await firstStdoutLine(base, run.run_id);
    return { overhead: parseTimestampMs(line) - t0, post: tPost - t0 };
  };
  const serverSampleInto = async () => {
    const s = await serverSample();
    srv.push(s.overhead);
    post.push(s.post);
  };

  for (let i = 0; i < ctx.size.launchWarmup; i++) await rawSample();
  firstPollMs = Math.max(5, Math.round(summarize(rawLife).p50 * 0.9));
  for (let i = 0; i < ctx.size.launchWarmup; i++) await serverSample();
  for (let i = 0; i < n; i++) {
    // Alternate which goes first so neither always follows the other.
    if (i % 2 === 0) {
      raw.push(await rawSample());
      await serverSampleInto();
    } else {
      await serverSampleInto();
      raw.push(await rawSample());
    }
  }
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
  const ram = await postOnRamStore(ctx, Math.min(n, 100));
  if (ram !== null) {
    row.details.post_ram_store = roundSummary(ram);
    row.measures.push(
      info(
        "POST /run round trip p50 (p99), the store on /dev/shm (no disk sync)",
        `${fmtMs(ram.p50)} (${fmtMs(ram.p99)})`,
      ),
    );
  }
}
