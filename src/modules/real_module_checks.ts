import type { z } from "zod";
import { parseCommandTemplate } from "./command_template.ts";

/** The keys of a module that these checks read (see schema.ts). */
interface RealModuleKeys {
  parameters: { name: string; type: string; arg?: string }[];
  command?: string[];
  venv?: string;
  interpreter?: string;
  requirements?: string | string[];
}

/**
 * The start-time checks of `command`, `arg` and `venv`: a checkbox cannot be positional, `venv`
 * and `interpreter` exclude each other, and a `command` must parse (known placeholders in allowed
 * places, `{param:NAME}` naming a parameter that is not a checkbox, a program first).
 */
export function checkRealModuleKeys(module: RealModuleKeys, ctx: z.RefinementCtx): void {
  module.parameters.forEach((p, i) => {
    if (p.type === "checkbox" && p.arg === "positional") {
      ctx.addIssue({
        code: "custom",
        path: ["parameters", i, "arg"],
        message: "a checkbox cannot be positional",
      });
    }
  });
  if (module.venv !== undefined && module.interpreter !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["venv"],
      message: "venv and interpreter cannot both be given (the venv names the interpreter)",
    });
  }
  if (module.venv !== undefined && module.requirements !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["requirements"],
      message: "requirements and venv cannot both be given (the server builds the environment)",
    });
  }
  if (module.command === undefined) return;
  const types = new Map(module.parameters.map((p) => [p.name, p.type]));
  const parsed = parseCommandTemplate(module.command, types);
  if (!parsed.ok) {
    ctx.addIssue({
      code: "custom",
      path: ["command", parsed.error.index],
      message: parsed.error.message,
    });
    return;
  }
  const first = parsed.template.parts[0];
  // An empty array is already refused by the schema's min(1); nothing more to say about it.
  if (first === undefined) return;
  if (first.kind === "params" || first.kind === "param") {
    ctx.addIssue({
      code: "custom",
      path: ["command", 0],
      message: "the first element must name the program ({python}, {script} or a path)",
    });
  }
}
