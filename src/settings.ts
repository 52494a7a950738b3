import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { defaultInterpreter } from "./process/interpreter.ts";
import { hostLabelsSetting } from "./pools/settings.ts";

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().trim().regex(/^\d+$/, "expected a whole number").transform(Number).pipe(
    z.number().int().min(min).max(max),
  );

/** Longest delay a timer can wait (2^31 - 1 ms); a longer one would fire at once. */
export const MAX_TIMER_SECONDS = 2_147_483;

const seconds = z.string().trim().regex(/^\d+(\.\d+)?$/, "expected a number of seconds")
  .transform(Number).pipe(
    z.number().max(MAX_TIMER_SECONDS, `expected at most ${MAX_TIMER_SECONDS} seconds`),
  );

/** Environment variables of the contract with their defaults, before parsing. */
export const ENV_DEFAULTS = {
  PRISMQ_HOST: "127.0.0.1",
  PRISMQ_PORT: "8000",
  PRISMQ_MODULES: "./configs/modules.json",
  PRISMQ_DATA_DIR: "./data",
  PRISMQ_KV_PATH: "",
  PRISMQ_PYTHON: "",
  PRISMQ_MAX_CONCURRENT_RUNS: "10",
  PRISMQ_MAX_QUEUED_RUNS: "1000",
  PRISMQ_KILL_GRACE_SECONDS: "5",
  PRISMQ_RUN_TIMEOUT_SECONDS: "0",
  PRISMQ_LOG_MAX_BYTES: "104857600",
  PRISMQ_RETENTION_DAYS: "30",
  PRISMQ_CORS_ORIGINS: "http://localhost:5173,http://127.0.0.1:5173",
  PRISMQ_API_TOKEN: "",
  PRISMQ_ALLOWED_HOSTS: "",
  PRISMQ_WEBHOOK_URL: "",
  PRISMQ_WEBHOOK_SECRET: "",
  PRISMQ_HOST_ID: "",
  PRISMQ_HOST_TIMEOUT_SECONDS: "15",
  PRISMQ_HOST_LABELS: "",
  PRISMQ_TASKKILL: "taskkill",
  PRISMQ_MAX_INPUT_BYTES: "16777216",
  PRISMQ_SERVICE_MAX_RESTART_DELAY_SECONDS: "300",
  PRISMQ_ENV_TOOL: "auto",
  PRISMQ_UV: "",
} as const;

export type SettingName = keyof typeof ENV_DEFAULTS;

/**
 * The settings as read from the environment. Each field's description (and `shown_default` where
 * the default depends on other settings) is the documentation: `deno task docs` writes the table
 * in docs/settings.md from it.
 */
export const settingsSchema = z.object({
  PRISMQ_HOST: z.string().trim().min(1, "expected a host name or address")
    .describe("address to bind; one that is not loopback needs `PRISMQ_API_TOKEN`"),
  PRISMQ_PORT: integer(0, 65535).describe("port to bind; `0` picks a free port"),
  PRISMQ_MODULES: z.string().trim().min(1, "expected a file path")
    .describe("the module file (see module-file.md)"),
  PRISMQ_DATA_DIR: z.string().trim().min(1, "expected a folder path")
    .describe("this server's folder (the owner's alone, 0700): KV file, runs' files, lock"),
  PRISMQ_KV_PATH: z.string().trim().meta({
    description: "Deno KV: a file path, `:memory:`, or a KV Connect URL",
    shown_default: "`<data dir>/runner.kv`",
  }),
  PRISMQ_PYTHON: z.string().trim().meta({
    description: "interpreter of `.py` modules (a venv's python by absolute path works)",
    shown_default: "`python` on Windows, `python3` elsewhere",
  }),
  PRISMQ_MAX_CONCURRENT_RUNS: integer(1)
    .describe("runs `running` at once on this server, across all modules"),
  PRISMQ_MAX_QUEUED_RUNS: integer(0)
    .describe("runs waiting as `queued` in the store; one more is refused (`QUEUE_FULL`)"),
  PRISMQ_KILL_GRACE_SECONDS: seconds
    .describe("after the graceful stop signal, how long before the process tree is killed"),
  PRISMQ_RUN_TIMEOUT_SECONDS: seconds
    .describe("default wall-clock limit of a run, `0` for none; a module's `timeout_seconds` wins"),
  PRISMQ_LOG_MAX_BYTES: integer(0)
    .describe("bytes of log kept per run (as stored); past it output is dropped"),
  PRISMQ_RETENTION_DAYS: z.string().trim().regex(/^\d+(\.\d+)?$/, "expected a number of days")
    .transform(Number)
    .describe(
      "finished runs and their logs older than this are deleted (at start, then hourly); `0` keeps them",
    ),
  PRISMQ_CORS_ORIGINS: z.string().transform((s) =>
    s.split(",").map((o) => normalizeOrigin(o.trim())).filter((o) => o.length > 0)
  ).describe("comma-separated origins allowed by CORS and the Origin check; `*` for any"),
  PRISMQ_API_TOKEN: z.string()
    .describe("when set, every `/api` route but `/api/health` needs `Authorization: Bearer`"),
  PRISMQ_WEBHOOK_URL: z.string().trim().refine(
    (s) => s === "" || isHttpUrl(s),
    "expected an http:// or https:// URL",
  ).describe("every final run is POSTed here (see api.md#webhooks)"),
  PRISMQ_WEBHOOK_SECRET: z.string()
    .describe("signs deliveries: `X-PrismQ-Signature: sha256=HMAC-SHA256(body)`"),
  PRISMQ_ALLOWED_HOSTS: z.string().transform((s) =>
    s.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0)
  ).describe("extra names a `Host` header may name while bound to loopback (see security.md)"),
  PRISMQ_HOST_ID: z.string().trim().refine(
    (s) => s === "" || HOST_ID_PATTERN.test(s),
    "expected 1 to 100 letters, digits, '.', '_', ':' or '-'",
  ).meta({
    description: "this server's name among servers sharing one store (see several-hosts.md)",
    shown_default: "`<host name>:<port>`",
  }),
  PRISMQ_HOST_TIMEOUT_SECONDS: seconds.pipe(z.number().min(1, "expected at least 1 second"))
    .describe("after this long without a heartbeat, another server fails a server's runs"),
  PRISMQ_HOST_LABELS: hostLabelsSetting.describe(
    "comma-separated labels of this server; a module's `host_labels` must all be among them",
  ),
  PRISMQ_TASKKILL: z.string().trim().min(1, "expected a program name or path").describe(
    "the program that stops process trees on Windows (`taskkill /T`, then `/T /F`)",
  ),
  // At most 1 GiB: the request body limit is several times it.
  PRISMQ_MAX_INPUT_BYTES: integer(0, 1024 * 1024 * 1024).describe(
    "the largest run `input`, in bytes encoded (413 INPUT_TOO_LARGE above it)",
  ),
  PRISMQ_SERVICE_MAX_RESTART_DELAY_SECONDS: seconds.pipe(z.number().min(0).max(300)).describe(
    "longest delay before a service replica's restart (300 s; lower it for tests)",
  ),
  PRISMQ_ENV_TOOL: z.enum(["auto", "pip", "uv"]).describe(
    "what builds modules' environments: `auto` (uv when found, else pip), `pip` or `uv`",
  ),
  PRISMQ_UV: z.string().trim().describe(
    "the uv program (name or path) to build environments with; empty: `uv` on `PATH`",
  ),
});

/** What a host id may be: it is part of KV keys and log lines. */
export const HOST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/** The server's settings, parsed and with paths made absolute. */
export interface Settings {
  host: string;
  port: number;
  modulesPath: string;
  dataDir: string;
  /** A file path, `:memory:`, or a KV Connect URL. */
  kvPath: string;
  python: string;
  maxConcurrentRuns: number;
  maxQueuedRuns: number;
  killGraceSeconds: number;
  runTimeoutSeconds: number;
  logMaxBytes: number;
  retentionDays: number;
  corsOrigins: string[];
  apiToken: string | null;
  /** Host names (besides the loopback ones) a request's `Host` may name while bound to loopback. */
  allowedHosts: string[];
  /** Where every final run is POSTed, besides a module's own `webhook_url`; null for nowhere. */
  webhookUrl: string | null;
  /** Key of the deliveries' HMAC-SHA256 signature; null for unsigned deliveries. */
  webhookSecret: string | null;
  /** This server's name among those sharing the store; null for `hostname:port` (see hosts/). */
  hostId: string | null;
  /** After this long without a heartbeat a server counts as stopped and its runs fail. */
  hostTimeoutSeconds: number;
  /** Labels this server carries: a module's `host_labels` must all be among them (pools/). */
  hostLabels: string[];
  /** The program that stops process trees on Windows (`taskkill /T`, then `/T /F`). */
  taskkill: string;
  /** Largest run `input`, in bytes encoded (UTF-8 text or JSON text). */
  maxInputBytes: number;
  /** The cap of a service replica's doubling restart delay (300; less only in tests). */
  serviceMaxRestartDelaySeconds: number;
  /** What builds modules' environments (src/envs). */
  envTool: "auto" | "pip" | "uv";
  /** The uv program; undefined for `uv` on PATH. */
  uv?: string;
}

/** Turns `--data-dir x` / `--port=9000` into `{PRISMQ_DATA_DIR: "x", PRISMQ_PORT: "9000"}`. */
export function cliOverrides(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const name = `PRISMQ_${flag.replaceAll("-", "_").toUpperCase()}`;
    if (!(name in ENV_DEFAULTS)) throw new ConfigError(`unknown option --${flag}`);
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith("--"))) {
      throw new ConfigError(`option --${flag} needs a value`);
    }
    out[name] = value;
  }
  return out;
}

/** Parses settings from environment variables (and CLI overrides); throws ConfigError naming the setting. */
export function parseSettings(
  env: Record<string, string | undefined>,
  cwd = Deno.cwd(),
  os: typeof Deno.build.os = Deno.build.os,
): Settings {
  const raw: Record<string, string> = {};
  for (const [name, fallback] of Object.entries(ENV_DEFAULTS)) {
    const given = env[name];
    raw[name] = given === undefined || given.trim() === "" ? fallback : given;
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(`invalid setting ${name}=${JSON.stringify(raw[name])}: ${issue.message}`);
  }
  const s = parsed.data;
  requireTokenOffLoopback(s.PRISMQ_HOST, s.PRISMQ_API_TOKEN);
  const dataDir = resolve(cwd, s.PRISMQ_DATA_DIR);
  const kvPath = s.PRISMQ_KV_PATH === ""
    ? resolve(dataDir, "runner.kv")
    : isRemoteOrMemory(s.PRISMQ_KV_PATH)
    ? s.PRISMQ_KV_PATH
    : resolve(cwd, s.PRISMQ_KV_PATH);
  return {
    host: s.PRISMQ_HOST,
    port: s.PRISMQ_PORT,
    modulesPath: isAbsolute(s.PRISMQ_MODULES) ? s.PRISMQ_MODULES : resolve(cwd, s.PRISMQ_MODULES),
    dataDir,
    kvPath,
    python: s.PRISMQ_PYTHON === "" ? defaultInterpreter(os) : s.PRISMQ_PYTHON,
    maxConcurrentRuns: s.PRISMQ_MAX_CONCURRENT_RUNS,
    maxQueuedRuns: s.PRISMQ_MAX_QUEUED_RUNS,
    killGraceSeconds: s.PRISMQ_KILL_GRACE_SECONDS,
    runTimeoutSeconds: s.PRISMQ_RUN_TIMEOUT_SECONDS,
    logMaxBytes: s.PRISMQ_LOG_MAX_BYTES,
    retentionDays: s.PRISMQ_RETENTION_DAYS,
    corsOrigins: s.PRISMQ_CORS_ORIGINS,
    apiToken: s.PRISMQ_API_TOKEN === "" ? null : s.PRISMQ_API_TOKEN,
    allowedHosts: s.PRISMQ_ALLOWED_HOSTS,
    webhookUrl: s.PRISMQ_WEBHOOK_URL === "" ? null : s.PRISMQ_WEBHOOK_URL,
    webhookSecret: s.PRISMQ_WEBHOOK_SECRET === "" ? null : s.PRISMQ_WEBHOOK_SECRET,
    hostId: s.PRISMQ_HOST_ID === "" ? null : s.PRISMQ_HOST_ID,
    hostTimeoutSeconds: s.PRISMQ_HOST_TIMEOUT_SECONDS,
    hostLabels: s.PRISMQ_HOST_LABELS,
    taskkill: s.PRISMQ_TASKKILL,
    maxInputBytes: s.PRISMQ_MAX_INPUT_BYTES,
    serviceMaxRestartDelaySeconds: s.PRISMQ_SERVICE_MAX_RESTART_DELAY_SECONDS,
    envTool: s.PRISMQ_ENV_TOOL,
    uv: s.PRISMQ_UV === "" ? undefined : s.PRISMQ_UV,
  };
}

/** Refuses an open bind: anyone on the network could start modules without a token. */
function requireTokenOffLoopback(host: string, token: string): void {
  if (token === "" && !isLoopbackHost(host)) {
    throw new ConfigError(
      `invalid setting PRISMQ_API_TOKEN: it must be set when PRISMQ_HOST=${host} is not a ` +
        "loopback address (anyone who reaches the port could start modules)",
    );
  }
}

/** True for the names and addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * An origin as browsers send it: `HTTP://Example.com:80/` becomes `http://example.com`. Anything
 * that is no URL (`*`, a typo) is kept as written.
 */
export function normalizeOrigin(origin: string): string {
  if (origin === "*" || !isHttpUrl(origin)) return origin;
  return new URL(origin).origin;
}

/** True for an absolute http:// or https:// URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** True for a KV Connect URL (a remote database, which has no KV queues). */
export function isKvConnectUrl(kvPath: string): boolean {
  return /^https?:\/\//.test(kvPath);
}

/** True for `:memory:` and KV Connect URLs, which are not files on disk. */
export function isRemoteOrMemory(kvPath: string): boolean {
  return kvPath === ":memory:" || isKvConnectUrl(kvPath);
}
