import type { OpenAPIHono } from "@hono/zod-openapi";
import { createHttpApp } from "./src/http/app.ts";
import { type HttpServer, serveHttp } from "./src/http/serve.ts";
import { createRunner, type Runner } from "./src/runner.ts";
import { ConfigError } from "./src/errors.ts";
import { isStorageFull } from "./src/kv/storage_full.ts";
import { missingPermission, modulePermissions, settingsPermissions } from "./src/permissions.ts";
import { findExecutable } from "./src/process/interpreter.ts";
import { onShutdownSignal } from "./src/process/signals.ts";
import { jobWarning } from "./src/process/windows_job.ts";
import { cliOverrides, parseSettings, type Settings } from "./src/settings.ts";
import { isClientCommand, serverArgs } from "./src/cli/dispatch.ts";

function fail(message: string): never {
  console.error(`error: ${message}`);
  Deno.exit(2);
}

/** Stops a start that failed on a full disk with one line (no stack trace); else does nothing. */
function failIfDiskFull(err: unknown, dataDir: string | undefined): void {
  if (!isStorageFull(err)) return;
  const why = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ");
  fail(
    `the disk of PRISMQ_DATA_DIR=${JSON.stringify(dataDir)} is full (${why}): free some space, ` +
      "then start again",
  );
}

async function main(): Promise<void> {
  let settings: Settings;
  let runner: Runner;
  let app: OpenAPIHono;
  let dataDir: string | undefined;
  try {
    settings = parseSettings({ ...Deno.env.toObject(), ...cliOverrides(serverArgs(Deno.args)) });
    dataDir = settings.dataDir;
    const missing = await missingPermission(settingsPermissions(settings));
    if (missing) fail(missing);
    runner = await createRunner(settings);
    app = createHttpApp(runner.services);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    failIfDiskFull(err, dataDir);
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      fail(`permission denied: ${err.message}`);
    }
    throw err;
  }
  if (settings.corsOrigins.includes("*")) {
    console.warn("warning: PRISMQ_CORS_ORIGINS=* lets every web page call this server's API");
  }
  const noJobs = jobWarning();
  if (noJobs !== null) console.warn(noJobs);
  const interpreters = runner.services.catalog.modules.flatMap((m) =>
    m.interpreter ? [m.interpreter] : m.command?.usesPython ? [m.python] : []
  );
  const setsid = Deno.build.os === "windows" ? null : findExecutable("setsid");
  const missing = await missingPermission(
    modulePermissions(settings, {
      interpreters,
      helpers: setsid ? [setsid] : [],
      scripts: runner.services.catalog.modules.map((m) => m.scriptPath),
    }),
  );
  if (missing) {
    await runner.shutdown();
    fail(missing);
  }

  // Bind before recovery and the queue pump run, so a refused start has changed nothing.
  // Requests that arrive in the meantime wait for the start to finish.
  const started = Promise.withResolvers<void>();
  let server: HttpServer;
  try {
    server = serveHttp({ hostname: settings.host, port: settings.port }, async (request, info) => {
      await started.promise;
      return await app.fetch(request, info);
    });
  } catch (err) {
    await runner.shutdown();
    if (err instanceof Deno.errors.AddrInUse) {
      fail(`invalid setting PRISMQ_PORT=${settings.port}: the port is already in use`);
    }
    const why = err instanceof Error ? err.message : String(err);
    fail(`invalid setting PRISMQ_HOST=${settings.host}: cannot listen there (${why})`);
  }
  try {
    await runner.start();
  } catch (err) {
    // Recovery writes at start (runs a crash left running).
    failIfDiskFull(err, settings.dataDir);
    if (err instanceof ConfigError) {
      await runner.shutdown(() => server.shutdown());
      fail(err.message);
    }
    throw err;
  }
  // Listened for before the listening line: whoever reads that line may stop us at once.
  onShutdownSignal(async (signal) => {
    console.log(`${signal} received: shutting down`);
    await runner.shutdown(() => server.shutdown());
    Deno.exit(0);
  });
  started.resolve();
  console.log(`listening on http://${settings.host}:${server.addr.port}`);
}

if (import.meta.main) {
  if (isClientCommand(Deno.args)) {
    // The command-line client (src/cli/) is loaded only when asked for.
    const { runCli } = await import("./src/cli/main.ts");
    Deno.exit(await runCli(Deno.args));
  }
  await main();
}
