import { isAbsolute, join } from "node:path";
import type { ParameterDef } from "../modules/schema.ts";
import { UsageError } from "./args.ts";

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const TRUE_WORDS = new Set(["true", "yes", "on", "1"]);
const FALSE_WORDS = new Set(["false", "no", "off", "0"]);

/**
 * `-p NAME=VALUE` values typed by the module's parameters: a number parameter gets a number, a
 * checkbox true or false (`-p NAME` alone is true), anything else the text as given. A value
 * that does not fit is sent as text, and the server's validation names the field.
 */
export function typedParameters(
  given: readonly string[],
  defs: readonly ParameterDef[],
): Record<string, string | number | boolean> {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const out: Record<string, string | number | boolean> = {};
  for (const item of given) {
    const eq = item.indexOf("=");
    const name = eq === -1 ? item : item.slice(0, eq);
    if (name === "") throw new UsageError(`-p "${item}" names no parameter (use -p NAME=VALUE)`);
    const def = byName.get(name);
    if (eq === -1) {
      if (def?.type !== "checkbox") {
        throw new UsageError(`-p ${name} needs a value (-p ${name}=VALUE)`);
      }
      out[name] = true;
      continue;
    }
    out[name] = typed(item.slice(eq + 1), def);
  }
  return out;
}

function typed(text: string, def: ParameterDef | undefined): string | number | boolean {
  if (def?.type === "number" && NUMERIC.test(text.trim())) return Number(text);
  if (def?.type === "checkbox") {
    const word = text.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return text;
}

/** A run's `--input`: the file's (or stdin's, for `-`) JSON value, or its text when not JSON. */
export async function readInput(source: string): Promise<unknown> {
  const text = source === "-"
    ? await new Response(Deno.stdin.readable).text()
    : await readFile(source);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Where a relative `--input` path is: `deno task` runs in the runner's folder and names the
 * folder it was called from in INIT_CWD, which is where the caller meant; elsewhere (the
 * compiled binary) the current folder.
 */
export function inputPath(path: string, initCwd = Deno.env.get("INIT_CWD")): string {
  return initCwd && !isAbsolute(path) ? join(initCwd, path) : path;
}

async function readFile(given: string): Promise<string> {
  const path = inputPath(given);
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new UsageError(`cannot read --input ${path}: ${why}`);
  }
}
