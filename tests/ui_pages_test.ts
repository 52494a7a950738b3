import assert from "node:assert/strict";
import { startServer } from "./helpers.ts";

const MODULES = [{ id: "echo", name: "Echo Module", script: "echo_args.py" }];
const PAGES = ["/", "/modules/echo", "/runs", "/runs/abcdefghij123456", "/pools"];

Deno.test("the UI's pages are shells: open without the token, and they carry no data", async () => {
  const server = await startServer(MODULES, { PRISMQ_API_TOKEN: "page-token" });
  try {
    for (const page of PAGES) {
      const res = await server.request(page);
      assert.equal(res.status, 200, page);
      assert.match(res.headers.get("content-type")!, /^text\/html/);
      const html = await res.text();
      assert.match(html, /^<!doctype html>/);
      assert.doesNotMatch(html, /Echo Module|test module echo/, `${page} shows no module data`);
      assert.doesNotMatch(html, /https?:\/\//, `${page}: nothing remote`);
    }
    assert.equal((await server.json("/api/modules")).status, 401, "the data stays behind it");
  } finally {
    await server.close();
  }
});

Deno.test("every file the pages load is served with its type; nothing else is", async () => {
  const server = await startServer(MODULES);
  try {
    const seen = new Set<string>();
    const queue: string[] = [];
    for (const page of PAGES) {
      const html = await (await server.request(page)).text();
      for (const [, src] of html.matchAll(/(?:src|href)="(\/ui\/assets\/[^"]+)"/g)) queue.push(src);
    }
    // Scripts import one another by relative URL: follow them all.
    while (queue.length > 0) {
      const path = queue.pop()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await server.request(path);
      assert.equal(res.status, 200, path);
      const type = res.headers.get("content-type")!;
      assert.match(type, path.endsWith(".css") ? /^text\/css/ : /^text\/javascript/, path);
      assert.ok(res.headers.get("etag"), `${path} can be revalidated`);
      const text = await res.text();
      for (const [, rel] of text.matchAll(/from "\.\/([\w.]+)"/g)) queue.push(`/ui/assets/${rel}`);
    }
    assert.ok(seen.size >= 10, [...seen].join(", "));
    const missing = await server.json("/ui/assets/nope.js");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_code, "NOT_FOUND");
    const parent = await server.request("/ui/assets/..%2Fapp.ts");
    assert.equal(parent.status, 404);
    await parent.body?.cancel();
  } finally {
    await server.close();
  }
});
