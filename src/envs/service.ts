import { AppError, moduleNotFound } from "../errors.ts";
import type { CatalogModule } from "../modules/catalog.ts";
import { EnvironmentKeyError } from "./key.ts";
import { readMarker } from "./layout.ts";
import type { EnvironmentManager } from "./manager.ts";

/** The contract's environment status of a module. */
export type EnvironmentStatus = "none" | "building" | "ready" | "failed";

/** The contract's answer of `GET /api/modules/{id}/environment`. */
export interface EnvironmentView {
  module_id: string;
  status: EnvironmentStatus;
  env_id: string | null;
  python_version: string | null;
  built_at: string | null;
  build_seconds: number | null;
  packages: { name: string; version: string }[];
  error: string | null;
}

/** What the environment routes and module views ask of the environments. */
export class EnvironmentService {
  constructor(private readonly manager: EnvironmentManager) {}

  /** The module's environment as this server has it (404, 409 NO_ENVIRONMENT). */
  view(moduleId: string): EnvironmentView {
    const module = this.moduleWithRequirements(moduleId);
    const base: EnvironmentView = {
      module_id: moduleId,
      status: "none",
      env_id: null,
      python_version: null,
      built_at: null,
      build_seconds: null,
      packages: [],
      error: null,
    };
    let envId: string;
    try {
      envId = this.manager.resolve(module).envId;
    } catch (err) {
      if (!(err instanceof EnvironmentKeyError)) throw err;
      return { ...base, status: "failed", error: err.message };
    }
    const ready = this.manager.layout.readyBuild(envId);
    const marker = ready === null ? null : readMarker(ready);
    const withBuild: EnvironmentView = marker === null ? { ...base, env_id: envId } : {
      ...base,
      env_id: envId,
      python_version: marker.python_version,
      built_at: new Date(marker.built_at).toISOString(),
      build_seconds: marker.build_seconds,
      packages: marker.packages,
    };
    if (this.manager.buildOf(envId) !== undefined) return { ...withBuild, status: "building" };
    if (marker !== null) return { ...withBuild, status: "ready" };
    const last = this.manager.lastBuilds.read(this.manager.layout.envDir(envId));
    if (last?.status === "failed") return { ...withBuild, status: "failed", error: last.error };
    return withBuild;
  }

  /** MODULE_VIEW's `environment_status`: null for a module without `requirements`. */
  statusOf(module: CatalogModule): EnvironmentStatus | null {
    if (module.requirements === null) return null;
    return this.view(module.def.id).status;
  }

  /**
   * Builds the module's environment now, in the background: "building" (a build started or was
   * under way), or "ready" when it is and no rebuild was asked.
   */
  build(moduleId: string, rebuild: boolean): EnvironmentView {
    const module = this.moduleWithRequirements(moduleId);
    const current = this.view(moduleId);
    if (current.status === "building" || (current.status === "ready" && !rebuild)) return current;
    let env;
    try {
      env = this.manager.resolve(module);
    } catch (err) {
      if (!(err instanceof EnvironmentKeyError)) throw err;
      return current; // failed, saying why
    }
    this.manager.build(module, env);
    return this.view(moduleId);
  }

  /** Deletes the module's environment (runs under way keep their copy); answers the message. */
  async remove(moduleId: string): Promise<string> {
    const module = this.moduleWithRequirements(moduleId);
    let envId: string;
    try {
      envId = this.manager.resolve(module).envId;
    } catch (err) {
      if (!(err instanceof EnvironmentKeyError)) throw err;
      return `Module "${moduleId}" has no environment to delete.`;
    }
    await this.manager.remove(envId);
    return `The environment ${envId} of module "${moduleId}" was deleted.`;
  }

  /** The output of the module's last environment build (or of the one under way). */
  buildLog(moduleId: string): string[] {
    const module = this.moduleWithRequirements(moduleId);
    try {
      const { envId } = this.manager.resolve(module);
      const under = this.manager.buildOf(envId);
      if (under !== undefined) return [...under.lines];
      return this.manager.lastBuilds.log(this.manager.layout.envDir(envId));
    } catch (err) {
      if (!(err instanceof EnvironmentKeyError)) throw err;
      return [err.message];
    }
  }

  /** The retention sweep's part: deletes environments no module uses (see EnvironmentManager). */
  sweep(): Promise<void> {
    return this.manager.sweep();
  }

  private moduleWithRequirements(moduleId: string): CatalogModule {
    const module = this.manager.catalog.get(moduleId);
    if (module === undefined) throw moduleNotFound(moduleId);
    if (module.requirements === null) {
      throw new AppError(
        "NO_ENVIRONMENT",
        `Module "${moduleId}" has no requirements, so no environment.`,
      );
    }
    return module;
  }
}
