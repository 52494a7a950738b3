/** Command-line options of the bench and the sizes of its rows. */

/** The rows, in the order they run and print. */
export const ROW_NAMES = [
  "launch",
  "throughput",
  "capture",
  "history",
  "live",
  "reads",
  "hosts",
  "pools",
  "stdin",
  "pipelines",
  "service",
  "envs",
] as const;
/** One row's name. */
export type RowName = (typeof ROW_NAMES)[number];

/** What the command line asked for. */
export interface Options {
  quick: boolean;
  json: string | null;
  only: Set<RowName> | null;
  /** How long the service row runs (its default: sizes().serviceSeconds). */
  serviceSeconds: number | null;
}

/** The usage text, shown for --help and with every argument error. */
export function usage(): string {
  return [
    "usage: deno task bench [--quick] [--json FILE] [--only NAME[,NAME...]] [--service-seconds N]",
    `rows: ${ROW_NAMES.join(", ")}`,
  ].join("\n");
}

/** Parses the arguments; throws with the usage text on a bad one, exits 0 on --help. */
export function parseOptions(args: readonly string[]): Options {
  const options: Options = { quick: false, json: null, only: null, serviceSeconds: null };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = () => {
      const v = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (v === undefined || v === "") throw new Error(`${flag} needs a value\n${usage()}`);
      return v;
    };
    if (flag === "--quick") options.quick = true;
    else if (flag === "--json") options.json = value();
    else if (flag === "--service-seconds") {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 10) {
        throw new Error(`--service-seconds must be ≥ 10\n${usage()}`);
      }
      options.serviceSeconds = n;
    } else if (flag === "--only") {
      options.only ??= new Set();
      for (const name of value().split(",").map((s) => s.trim()).filter(Boolean)) {
        if (!(ROW_NAMES as readonly string[]).includes(name)) {
          throw new Error(`unknown row "${name}"\n${usage()}`);
        }
        options.only.add(name as RowName);
      }
    } else if (flag === "--help" || flag === "-h") {
      console.log(usage());
      Deno.exit(0);
    } else throw new Error(`unknown argument "${arg}"\n${usage()}`);
  }
  return options;
}

/** Sizes of every row, full and --quick. */
export function sizes(quick: boolean) {
  return {
    launchRuns: quick ? 50 : 200,
    launchWarmup: 5,
    throughputRuns: quick ? 150 : 500,
    throughputConnections: 10,
    captureLines: quick ? 200_000 : 1_000_000,
    captureRounds: quick ? 1 : 3,
    historyRuns: quick ? 3_000 : 20_000,
    historyRequests: 200,
    historyPosts: quick ? 30 : 50,
    liveSeconds: quick ? 3 : 5,
    readsSeconds: quick ? 3 : 10,
    readsConnections: 32,
    stdinBytes: 16 * 1024 * 1024,
    stdinRounds: quick ? 2 : 5,
    serviceSeconds: quick ? 60 : 600,
  };
}
/** The sizes of one bench run. */
export type Sizes = ReturnType<typeof sizes>;
