import assert from "node:assert/strict";
import { join } from "node:path";
import { namesThisServer } from "../src/webhooks/self_target.ts";
import { startServer, waitFinal, waitFor, writeModuleFile } from "./helpers.ts";
import { runServerToExit } from "./server_process.ts";

const ECHO = { id: "echo", script: "echo_args.py" };

Deno.test("a request carrying X-PrismQ-Event or X-PrismQ-Delivery is refused with 403 and changes nothing", async () => {
  const server = await startServer([ECHO]);
  try {
    for (const header of ["X-PrismQ-Event", "X-PrismQ-Delivery"]) {
      const res = await server.json("/api/modules/echo/run", {
        method: "POST",
        headers: { "content-type": "application/json", [header]: "run.finished" },
        body: "{}",
      });
      assert.equal(res.status, 403, header);
      assert.equal(res.body.error_code, "FORBIDDEN_WEBHOOK_LOOP");
      assert.match(res.body.detail, new RegExp(header, "i"));
      const read = await server.json("/api/runs", { headers: { [header]: "x" } });
      assert.equal(read.status, 403, `GET with ${header}`);
    }
    assert.equal((await server.json("/api/runs")).body.total, 0, "no run was started");
  } finally {
    await server.close();
  }
});

Deno.test("a webhook that comes back to the server's own run route starts no second run", async () => {
  // A relay stands for a second PrismQ server, or a proxy, that sends the delivery back here.
  let target = "";
  const answers: number[] = [];
  const relay = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const res = await fetch(target, {
      method: "POST",
      headers: req.headers,
      body: await req.text(),
    });
    answers.push(res.status);
    await res.body?.cancel();
    return new Response(null, { status: res.status });
  });
  const server = await startServer([ECHO], {
    PRISMQ_WEBHOOK_URL: `http://127.0.0.1:${relay.addr.port}/hook`,
  });
  target = `${server.url}/api/modules/echo/run`;
  try {
    const { body } = await server.post("/api/modules/echo/run", {});
    await waitFinal(server, body.run_id);
    await waitFor(() => answers.length >= 1, 10_000, "the delivery to come back");
    assert.equal(answers[0], 403);
    assert.equal((await server.json("/api/runs")).body.total, 1, "only the first run");
  } finally {
    await server.close();
    await relay.shutdown();
  }
});

Deno.test("a webhook_url or PRISMQ_WEBHOOK_URL naming this server's own address refuses the start", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const own = "http://localhost:18735/api/modules/loop/run";
  const modules = writeModuleFile(dir, [{ ...ECHO, id: "loop", webhook_url: own }]);
  const out = await runServerToExit({
    PRISMQ_MODULES: modules,
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PORT: "18735",
  });
  assert.equal(out.code, 2);
  assert.match(out.stderr, /webhook_url of module "loop"=http:\/\/localhost:18735/);
  assert.match(out.stderr, /this server's own address/);

  const plain = writeModuleFile(dir, [ECHO]);
  const global = await runServerToExit({
    PRISMQ_MODULES: plain,
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PORT: "18735",
    PRISMQ_WEBHOOK_URL: "http://127.0.0.1:18735/hook",
  });
  assert.equal(global.code, 2);
  assert.match(global.stderr, /setting PRISMQ_WEBHOOK_URL=/);
});

Deno.test("which URLs name the server's own listening address", () => {
  const loopback = { host: "127.0.0.1", port: 8000, names: ["runner.lan"] };
  const everywhere = { host: "0.0.0.0", port: 8000, names: ["box"] };
  const lan = { host: "192.168.1.5", port: 8000, names: [] };
  const own = (url: string, at: typeof loopback) => namesThisServer(url, at);
  assert.ok(own("http://127.0.0.1:8000/api/modules/x/run", loopback));
  assert.ok(own("http://localhost:8000/", loopback));
  assert.ok(own("http://LOCALHOST.:8000/", loopback));
  assert.ok(own("http://[::1]:8000/", loopback));
  assert.ok(own("http://127.0.0.2:8000/", loopback));
  assert.ok(own("http://0.0.0.0:8000/", loopback));
  assert.ok(own("https://runner.lan:8000/", loopback), "an allowed host name");
  assert.ok(!own("http://127.0.0.1:8001/", loopback), "another port");
  assert.ok(!own("http://127.0.0.1/", loopback), "port 80");
  assert.ok(!own("http://example.com:8000/", loopback));
  assert.ok(own("http://localhost:8000/", everywhere));
  assert.ok(own("http://box:8000/", everywhere), "the machine's name");
  assert.ok(own("http://192.168.1.5:8000/", lan));
  assert.ok(!own("http://127.0.0.1:8000/", lan), "loopback does not reach a LAN-only listener");
  assert.ok(own("http://localhost/", { host: "127.0.0.1", port: 80, names: [] }));
  assert.ok(!own("http://localhost:8000/", { host: "127.0.0.1", port: 0, names: [] }));
});
