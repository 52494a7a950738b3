import denoJson from "../../deno.json" with { type: "json" };
import { parseCommandArgs, UsageError } from "./args.ts";
import { ApiClient, ApiError, serverAddress } from "./client.ts";
import { COMMANDS } from "./commands.ts";
import { commandHelp, PROGRAM, programHelp } from "./help.ts";
import { processTerminal, type Terminal } from "./terminal.ts";

/**
 * The command-line client: runs one command against the server at PRISMQ_URL and answers the
 * exit code (0 done, 2 an error, or a followed run's own code).
 */
export async function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
  term: Terminal = processTerminal(env),
): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--help" || name === "-h" || name === "help") {
    const spec = COMMANDS.find((c) => c.name === rest[0]);
    term.out(spec ? commandHelp(spec) : programHelp(COMMANDS));
    return 0;
  }
  if (name === "--version") {
    term.out(`${PROGRAM} ${denoJson.version}\n`);
    return 0;
  }
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    term.err(`error: unknown command "${name}"\n\n${programHelp(COMMANDS)}`);
    return 2;
  }
  try {
    const parsed = parseCommandArgs(spec, rest);
    if (parsed.values.help) {
      term.out(commandHelp(spec));
      return 0;
    }
    const client = new ApiClient(serverAddress(env));
    return await spec.run({ client, term, env }, parsed);
  } catch (err) {
    if (err instanceof UsageError) {
      term.err(`error: ${err.message}\n(see: ${PROGRAM} ${spec.name} --help)\n`);
      return 2;
    }
    if (err instanceof ApiError) {
      term.err(`error: ${err.detail}\n${err.fields.map((f) => `  ${f}\n`).join("")}`);
      return 2;
    }
    throw err;
  }
}
