import { z } from "zod";
import { keys } from "../kv/keys.ts";
import { type ParameterDef, type ParamValue, paramValueSchema } from "./schema.ts";

const presetSchema = z.object({
  values: z.record(z.string(), paramValueSchema),
  updated_at: z.number(),
});

/** A module's saved parameter values as answered by the config routes. */
export interface PresetView {
  module_id: string;
  parameters: Record<string, ParamValue | null>;
  updated_at: string | null;
}

/** Saved run parameters per module in Deno KV. Password values are never saved. */
export class PresetStore {
  constructor(private readonly kv: Deno.Kv) {}

  /** The defaults merged with the saved values. */
  async get(moduleId: string, parameters: readonly ParameterDef[]): Promise<PresetView> {
    const entry = await this.kv.get(keys.preset(moduleId));
    const saved = entry.value === null ? null : presetSchema.parse(entry.value);
    const merged: Record<string, ParamValue | null> = {};
    for (const p of parameters) {
      merged[p.name] = saved && Object.hasOwn(saved.values, p.name)
        ? saved.values[p.name]
        : p.default ?? null;
    }
    return {
      module_id: moduleId,
      parameters: merged,
      updated_at: saved ? new Date(saved.updated_at).toISOString() : null,
    };
  }

  /** Saves validated values (passwords left out). */
  async save(
    moduleId: string,
    parameters: readonly ParameterDef[],
    values: Record<string, ParamValue>,
  ) {
    const kept: Record<string, ParamValue> = {};
    for (const p of parameters) {
      if (p.type !== "password" && Object.hasOwn(values, p.name)) kept[p.name] = values[p.name];
    }
    await this.kv.set(keys.preset(moduleId), { values: kept, updated_at: Date.now() });
  }

  /** Forgets the saved values. */
  async delete(moduleId: string): Promise<void> {
    await this.kv.delete(keys.preset(moduleId));
  }
}
