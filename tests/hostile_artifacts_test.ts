// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { python, startServer, type TestServer, waitFinal } from "./helpers.ts";
import { FIXTURES } from "./helpers.ts";

const MODULES = [
  { id: "echo", script: "echo_args.py" },
  {
    id: "shapes",
    script: "artifact_shapes.py",
    parameters: [
      { name: "shape", type: "text", required: true },
      { name: "count", type: "number", default: 0 },
      { name: "outside", type: "text", default: "" },
    ],
  },
];

async function runShape(server: TestServer, parameters: Record<string, unknown>): Promise<any> {
  const { body } = await server.post("/api/modules/shapes/run", { parameters });
  return await waitFinal(server, body.run_id, 60_000);
}

/** Every page of a run's artifacts, `limit` at a time. */
async function allPages(server: TestServer, runId: string, limit?: number) {
  const names: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = [limit ? `limit=${limit}` : "", cursor ? `cursor=${cursor}` : ""]
      .filter(Boolean).join("&");
    const res = await server.json(`/api/runs/${runId}/artifacts?${query}`);
    assert.equal(res.status, 200);
    names.push(...res.body.artifacts.map((a: any) => a.name));
    cursor = res.body.next_cursor;
    pages++;
  } while (cursor !== null);
  return { names, pages };
}

Deno.test("a folder swapped for a link during downloads never serves the file behind the link", async () => {
  const server = await startServer(MODULES);
  const outside = Deno.makeTempDirSync({ prefix: "prismq-secret-" });
  Deno.writeTextFileSync(join(outside, "data.txt"), "SECRET");
  let swapper: Deno.ChildProcess | null = null;
  let folder = "";
  try {
    const { body } = await server.post("/api/modules/echo/run", {});
    await waitFinal(server, body.run_id);
    folder = join(server.settings.dataDir, "artifacts", body.run_id);
    Deno.mkdirSync(join(folder, "sub"));
    Deno.writeTextFileSync(join(folder, "sub", "data.txt"), "SAFE");
    swapper = new Deno.Command(python(), {
      args: [join(FIXTURES, "swapper.py"), folder, outside],
      stdout: "piped",
    }).spawn();
    const counts = { SAFE: 0, SECRET: 0, missing: 0 };
    const url = `/api/runs/${body.run_id}/artifacts/sub/data.txt`;
    const worker = async () => {
      for (let i = 0; i < 250; i++) {
        const res = await server.request(url);
        const text = await res.text();
        if (res.status === 404) counts.missing++;
        else if (text === "SAFE" || text === "SECRET") counts[text]++;
        else assert.fail(`${res.status} ${text}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    Deno.writeTextFileSync(join(folder, "stop"), "");
    const swaps = new TextDecoder().decode((await swapper.output()).stdout).trim();
    swapper = null;
    console.log(`2000 downloads during ${swaps} swaps: ${JSON.stringify(counts)}`);
    assert.equal(counts.SECRET, 0, "the file behind a swapped-in link was served");
    assert.ok(counts.SAFE > 0, "the real file is still served between swaps");
  } finally {
    if (swapper !== null) {
      Deno.writeTextFileSync(join(folder, "stop"), "");
      await swapper.output();
    }
    await server.close();
  }
});

Deno.test("a run with 2,500 files pages by cursor; the listing's total is the run's count", async () => {
  const server = await startServer(MODULES);
  try {
    const run = await runShape(server, { shape: "many", count: 2_500 });
    assert.equal(run.artifacts, 2_500);
    const first = await server.json(`/api/runs/${run.run_id}/artifacts`);
    assert.equal(first.body.artifacts.length, 1000, "at most 1000 without limit");
    assert.ok(first.body.next_cursor);
    const { names, pages } = await allPages(server, run.run_id, 700);
    assert.equal(pages, 4);
    assert.equal(names.length, 2_500);
    assert.equal(new Set(names).size, 2_500);
    assert.deepEqual(names, [...names].sort(), "sorted by name across pages");
    for (const bad of ["limit=0", "limit=1001", "cursor=%25%25"]) {
      const res = await server.json(`/api/runs/${run.run_id}/artifacts?${bad}`);
      assert.equal(res.status, 422, bad);
    }
  } finally {
    await server.close();
  }
});

Deno.test("a 3,000-deep folder tree: the listing answers the first 32 levels, never 500", async () => {
  const server = await startServer(MODULES);
  try {
    const run = await runShape(server, { shape: "deep", count: 3_000 });
    assert.equal(run.status, "completed");
    const res = await server.json(`/api/runs/${run.run_id}/artifacts`);
    assert.equal(res.status, 200);
    const names = res.body.artifacts.map((a: any) => a.name);
    assert.deepEqual(names, [`${"d/".repeat(11)}level11.txt`, "top.txt"]);
    assert.equal(run.artifacts, 2, "the count agrees with the listing");
    const file = await server.request(`/api/runs/${run.run_id}/artifacts/${names[0]}`);
    assert.equal(await file.text(), "eleven");
    const deep = await server.json(
      `/api/runs/${run.run_id}/artifacts/${"d/".repeat(40)}x.txt`,
    );
    assert.equal(deep.status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("names a download cannot answer are not listed; the count agrees; a hard link is served", async () => {
  const server = await startServer(MODULES);
  try {
    const outside = join(server.dir, "outside.txt");
    Deno.writeTextFileSync(outside, "outside");
    const run = await runShape(server, { shape: "names", outside });
    const { body } = await server.json(`/api/runs/${run.run_id}/artifacts`);
    const names = body.artifacts.map((a: any) => a.name);
    assert.deepEqual(names, ["hard.txt", "ok.txt"]);
    assert.equal(run.artifacts, names.length);
    for (const name of names) {
      const res = await server.request(`/api/runs/${run.run_id}/artifacts/${name}`);
      assert.equal(res.status, 200, name);
      await res.body?.cancel();
    }
    const hard = await server.request(`/api/runs/${run.run_id}/artifacts/hard.txt`);
    assert.equal(await hard.text(), "outside", "a hard link is a regular file: served");
  } finally {
    await server.close();
  }
});
