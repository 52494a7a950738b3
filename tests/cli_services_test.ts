import assert from "node:assert/strict";
import { cli } from "./cli_client.ts";
import { startServer } from "./helpers.ts";

Deno.test({
  name: "CLI: services, service start|stop|restart MODULE",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await startServer([{
      id: "workers",
      script: "service_worker.py",
      command: ["{python}", "{script}", "--worker-id", "{replica}"],
      service: { replicas: 2 },
    }, { id: "plain", script: "service_worker.py" }]);
    try {
      const started = await cli(server.url, ["service", "start", "workers"]);
      assert.equal(started.code, 0, started.stderr);
      assert.match(started.stdout, /^workers {2}running/);
      assert.match(started.stdout, /replica 2 /);
      const listed = await cli(server.url, ["services", "--json"]);
      assert.equal(JSON.parse(listed.stdout)[0].replicas.length, 2);
      const restarted = await cli(server.url, ["service", "restart", "workers", "--json"]);
      assert.equal(JSON.parse(restarted.stdout).desired, "running");
      const stopped = await cli(server.url, ["service", "stop", "workers"]);
      assert.match(stopped.stdout, /^workers {2}stopped/);
      assert.match(stopped.stdout, /replica 1 {2}cancelled/);
      const refused = await cli(server.url, ["service", "start", "plain"]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /not a service/);
      const bad = await cli(server.url, ["service", "pause", "workers"]);
      assert.equal(bad.code, 2);
    } finally {
      await server.close();
    }
  },
});
