import { z } from "zod";
import type { CatalogModule, ModuleCatalog } from "./catalog.ts";
import { MODULE_STATUSES, parameterSchema } from "./schema.ts";
import { MASK } from "./secrets.ts";

/** The contract's MODULE_VIEW: the module's fields plus availability and run statistics. */
export const moduleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  script_path: z.string(),
  version: z.string(),
  parameters: z.array(parameterSchema),
  tags: z.array(z.string()),
  status: z.enum(MODULE_STATUSES),
  enabled: z.boolean(),
  interpreter: z.string().optional(),
  timeout_seconds: z.number().optional(),
  max_concurrent_runs: z.number().int().optional(),
  /** Keys only: every value is masked, since any page on loopback could once read them. */
  env: z.record(z.string(), z.string()).optional(),
  retries: z.number().int(),
  retry_delay_seconds: z.number(),
  webhook_url: z.string().optional(),
  uses: z.union([z.array(z.string()), z.record(z.string(), z.number())]).optional(),
  host_labels: z.array(z.string()).optional(),
  output_encoding: z.string().optional(),
  command: z.array(z.string()).optional(),
  working_dir: z.string().optional(),
  venv: z.string().optional(),
  requirements: z.union([z.string(), z.array(z.string())]).optional(),
  env_file: z.string().optional(),
  /** The keys the `env_file` had at start, every value masked. */
  env_file_values: z.record(z.string(), z.string()).optional(),
  stdin: z.enum(["none", "input"]),
  available: z.boolean(),
  unavailable_reason: z.string().nullable(),
  last_run: z.string().nullable(),
  total_runs: z.number().int(),
  success_rate: z.number().nullable(),
  /** This server's build of its environment; null for a module without `requirements`. */
  environment_status: z.enum(["none", "building", "ready", "failed"]).nullable(),
});
export type ModuleView = z.infer<typeof moduleViewSchema>;

/** Run counts of one module, as the run store keeps them. */
export interface ModuleRunStats {
  total: number;
  completed: number;
  finished: number;
  lastRunAt: number | null;
}

/** Where module views read their run statistics (the run store). */
export interface ModuleStatsSource {
  moduleStats(moduleId: string): Promise<ModuleRunStats>;
}

/** Renders catalog modules with their availability and run statistics. */
export class ModuleViews {
  constructor(
    private readonly catalog: ModuleCatalog,
    private readonly stats: ModuleStatsSource,
    /** The modules' environments (src/envs); absent: every status is null. */
    private readonly environments?: {
      statusOf(module: CatalogModule): ModuleView["environment_status"];
    },
  ) {}

  /** Every module, in module-file order. */
  list(): Promise<ModuleView[]> {
    return Promise.all(this.catalog.modules.map((m) => this.view(m.def.id)));
  }

  /** One module; MODULE_NOT_FOUND when unknown. */
  async view(moduleId: string): Promise<ModuleView> {
    const module = this.catalog.require(moduleId);
    const stats = await this.stats.moduleStats(moduleId);
    const availability = this.catalog.availability(module);
    const { env, ...def } = module.def;
    return {
      ...def,
      ...(env === undefined ? {} : { env: maskValues(env) }),
      ...(def.env_file === undefined ? {} : {
        env_file_values: maskValues(Object.fromEntries(module.envFileKeys.map((k) => [k, ""]))),
      }),
      available: availability.available,
      unavailable_reason: availability.reason,
      last_run: stats.lastRunAt === null ? null : new Date(stats.lastRunAt).toISOString(),
      total_runs: stats.total,
      success_rate: stats.finished === 0
        ? null
        : Math.round((stats.completed / stats.finished) * 1000) / 10,
      environment_status: this.environments?.statusOf(module) ?? null,
    };
  }
}

function maskValues(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).map((k) => [k, MASK]));
}
