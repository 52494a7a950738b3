import assert from "node:assert/strict";
import { join } from "node:path";
import { serveHttp } from "../src/http/serve.ts";
import { python, waitFor, writeModuleFile } from "./helpers.ts";
import { spawnServer } from "./server_process.ts";

/**
 * Resolves with the ms from `since` until the peer closed the connection (EOF or reset), or with
 * Infinity when it was still open after `maxMs` (then it is closed here).
 */
async function closedAfter(conn: Deno.Conn, since: number, maxMs: number): Promise<number> {
  let gaveUp = false;
  const timer = setTimeout(() => {
    gaveUp = true;
    close(conn);
  }, maxMs);
  const buf = new Uint8Array(4096);
  try {
    while (await conn.read(buf) !== null) {
      // Drains what the server sent, if anything.
    }
  } catch {
    // A reset is a close too.
  }
  clearTimeout(timer);
  return gaveUp ? Infinity : performance.now() - since;
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}

const request = (path: string) =>
  new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);

Deno.test("a connection that sends no request within the idle time is closed; a long response is not cut", async () => {
  const server = serveHttp({ hostname: "127.0.0.1", port: 0, idleMs: 300 }, (req) => {
    if (new URL(req.url).pathname !== "/slow") return new Response("ok");
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 150));
        controller.enqueue(new TextEncoder().encode(`${n}\n`));
        if (++n === 5) controller.close();
      },
    });
    return new Response(body);
  });
  const conns: Deno.Conn[] = [];
  try {
    const port = server.addr.port;
    const connect = async () => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(conn);
      return conn;
    };
    // Silent from the start.
    const silent = await connect();
    const silentClosed = closedAfter(silent, performance.now(), 5000);
    // One request, then silence: the idle time counts from the end of the response.
    const kept = await connect();
    await kept.write(request("/"));
    const keptClosed = closedAfter(kept, performance.now(), 5000);
    // A response that takes 750 ms, longer than the idle time.
    const slow = await connect();
    await slow.write(request("/slow"));
    const text: string[] = [];
    const decoder = new TextDecoder();
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await slow.read(buf);
      if (n === null) break;
      text.push(decoder.decode(buf.subarray(0, n)));
      if (text.join("").includes("4\n")) break;
    }
    assert.match(text.join(""), /0\r?\n[\s\S]*4\r?\n/, "all five chunks arrived");
    const silentMs = await silentClosed;
    const keptMs = await keptClosed;
    assert.ok(silentMs >= 250 && silentMs < 2000, `silent connection closed after ${silentMs} ms`);
    assert.ok(keptMs >= 250 && keptMs < 2000, `idle connection closed after ${keptMs} ms`);
    // And the server still answers.
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(await res.text(), "ok");
  } finally {
    for (const c of conns) close(c);
    await server.shutdown();
  }
});

Deno.test({
  name:
    "out of file descriptors: the server stays up, refuses the excess, answers again once they close; idle connections close after 10 s",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
    const server = await spawnServer({
      PRISMQ_MODULES: writeModuleFile(dir, [{ id: "echo", script: "echo_args.py" }]),
      PRISMQ_DATA_DIR: join(dir, "data"),
      PRISMQ_PYTHON: python(),
    });
    const port = Number(new URL(server.url).port);
    const conns: Deno.Conn[] = [];
    let exited = false;
    server.child.status.then(() => exited = true);
    try {
      // A connection that never sends anything, from the start.
      const silent = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(silent);
      const silentClosed = closedAfter(silent, performance.now(), 15_000);
      const limit = await new Deno.Command("prlimit", {
        args: ["--pid", String(server.child.pid), "--nofile=128:128"],
      }).output();
      assert.ok(limit.success, new TextDecoder().decode(limit.stderr));
      // Far more idle connections than the server has descriptors for.
      let refused = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 300 }, () => Deno.connect({ hostname: "127.0.0.1", port })),
      );
      for (const r of results) {
        if (r.status === "fulfilled") conns.push(r.value);
        else refused++;
      }
      await waitFor(() => /out of file descriptors/.test(server.stderr()), 5000, "the report");
      assert.equal(exited, false, "the server is still running");
      // Each connection the server could not take was refused, or closed by it.
      const closedByServer = await Promise.all(
        conns.slice(1).map(async (c) => {
          const buf = new Uint8Array(1);
          const timeout = AbortSignal.timeout(500);
          try {
            const read = c.read(buf);
            const gone = await Promise.race([
              read.then((n) => n === null).catch(() => true),
              new Promise<false>((r) => timeout.addEventListener("abort", () => r(false))),
            ]);
            return gone;
          } catch {
            return true;
          }
        }),
      );
      const excess = refused + closedByServer.filter(Boolean).length;
      assert.ok(excess >= 150, `${refused} refused, ${excess - refused} closed, of 300`);
      console.log(`${refused} refused, ${excess - refused} closed by the server, of 300`);
      // Free the descriptors: the server answers again, without a restart.
      for (const c of conns.splice(1)) close(c);
      const t0 = performance.now();
      await waitFor(
        async () => {
          try {
            const res = await fetch(`${server.url}/api/health`);
            return res.status === 200 && (await res.json()).status === "healthy";
          } catch {
            return false;
          }
        },
        5000,
        "the server to answer again",
      );
      console.log(`answered again ${Math.round(performance.now() - t0)} ms after the close`);
      // The silent connection was closed by the idle timeout: headers within 10 s.
      const silentMs = await silentClosed;
      assert.ok(silentMs > 9000 && silentMs < 12_000, `closed after ${silentMs} ms`);
      console.log(`the silent connection was closed after ${Math.round(silentMs)} ms`);
      assert.equal(exited, false);
      assert.doesNotMatch(server.output(), /Uncaught|panicked/);
    } finally {
      for (const c of conns) close(c);
      await server.stop("SIGTERM");
    }
  },
});
