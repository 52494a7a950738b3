/** Concurrency for the rows: a pool of workers and a keep-alive GET load generator. */
import { HttpError, submit } from "./http.ts";
import { summarize, type Summary } from "./stats.ts";

/** Runs `workers` copies of `work` at once and waits for all. */
export async function pool(
  workers: number,
  work: (worker: number) => Promise<void>,
): Promise<void> {
  await Promise.all(Array.from({ length: workers }, (_, i) => work(i)));
}

/** Submits `count` runs of the module over `conns` connections at once; refusals by status. */
export async function submitMany(
  base: string,
  moduleId: string,
  opts: { count: number; conns: number },
): Promise<{ ids: string[]; refusals: Record<string, number> }> {
  const ids: string[] = [];
  const refusals: Record<string, number> = {};
  let submitted = 0;
  await pool(opts.conns, async () => {
    while (submitted < opts.count) {
      submitted++;
      try {
        ids.push((await submit(base, moduleId)).run_id);
      } catch (err) {
        const key = err instanceof HttpError ? String(err.status) : "error";
        refusals[key] = (refusals[key] ?? 0) + 1;
      }
    }
  });
  return { ids, refusals };
}

/** What one load run got: answers, request rate and latency. */
export interface LoadResult {
  ok: number;
  bad: number;
  seconds: number;
  rps: number;
  latency: Summary;
}

/** `conns` concurrent fetch loops (keep-alive) against one URL for `seconds`. */
export async function load(url: string, seconds: number, conns: number): Promise<LoadResult> {
  let ok = 0;
  let bad = 0;
  const latency: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await pool(conns, async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status === 200) ok++;
        else bad++;
      } catch {
        bad++;
      }
      latency.push(performance.now() - t0);
    }
  });
  const elapsed = (performance.now() - start) / 1000;
  return { ok, bad, seconds: elapsed, rps: ok / elapsed, latency: summarize(latency) };
}
