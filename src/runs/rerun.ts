import type { ModuleCatalog } from "../modules/catalog.ts";
import { dropSecrets, secretNames } from "../modules/secrets.ts";
import type { EncodedInput } from "./input.ts";
import type { RunRecord } from "./model.ts";
import type { RunRequest } from "./request.ts";

/**
 * The request of a re-run: the old run's values with `overrides` replacing them (password values
 * are never carried over: they must be given again), and its input unless a new one is given
 * (`undefined`: the old run's again; `null`: none).
 */
export function rerunRequest(
  old: RunRecord,
  catalog: ModuleCatalog,
  overrides: Record<string, unknown>,
  input: EncodedInput | null | undefined,
): RunRequest {
  const defs = catalog.get(old.module_id)?.def.parameters ?? [];
  const secrets = [...old.secret_parameters, ...secretNames(defs, old.parameters)];
  return {
    moduleId: old.module_id,
    parameters: { ...dropSecrets(old.parameters, secrets), ...overrides },
    saveConfig: false,
    origin: { trigger: "rerun" },
    input,
    inputFromRun: input === undefined ? old.run_id : undefined,
  };
}
