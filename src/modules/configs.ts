import { validationError } from "../errors.ts";
import { unsafeBareValues } from "./args.ts";
import type { ModuleCatalog } from "./catalog.ts";
import type { PresetStore, PresetView } from "./presets.ts";

/** The config routes' work: a module's saved parameters, validated like a run's. */
export class ModuleConfigs {
  constructor(private readonly catalog: ModuleCatalog, private readonly presets: PresetStore) {}

  /** The defaults merged with the saved values; MODULE_NOT_FOUND when unknown. */
  get(moduleId: string): Promise<PresetView> {
    const { def } = this.catalog.require(moduleId);
    return this.presets.get(def.id, def.parameters);
  }

  /** Validates and saves the given values (passwords left out), then answers as `get`. */
  async save(moduleId: string, given: Record<string, unknown>): Promise<PresetView> {
    const module = this.catalog.require(moduleId);
    const checked = module.validator.validate(given);
    if (!checked.ok) throw validationError(checked.errors);
    // Saved values are "validated like a run": a bare value beginning with '-' is refused too.
    const bare = unsafeBareValues(module.def.parameters, checked.values, module.templateParams);
    if (bare.length > 0) throw validationError(bare);
    await this.presets.save(module.def.id, module.def.parameters, checked.values);
    return this.get(moduleId);
  }

  /** Forgets the saved values; answers with the module id it forgot. */
  async reset(moduleId: string): Promise<string> {
    const { def } = this.catalog.require(moduleId);
    await this.presets.delete(def.id);
    return def.id;
  }
}
