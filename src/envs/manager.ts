import type { CatalogModule, ModuleCatalog } from "../modules/catalog.ts";
import type {
  EnvironmentProvider,
  EnvironmentTicket,
  Prepared,
  PrepareOptions,
} from "../runs/mod.ts";
import { type Build, type ResolvedEnv, resolveEnv, startBuild } from "./builds.ts";
import { EnvLayout, isComplete, removeDir } from "./layout.ts";
import { LastBuilds } from "./last_build.ts";
import { type EnvToolSetting, pickTool } from "./tool.ts";
import { EnvTicket } from "./ticket.ts";

/** What the environments are built with. */
export interface EnvironmentSettings {
  dataDir: string;
  /** PRISMQ_ENV_TOOL. */
  envTool: EnvToolSetting;
  /** PRISMQ_UV. */
  uv?: string;
}

/**
 * This server's per-module Python environments (`<data dir>/envs/`): names them, builds each at
 * most once at a time, hands runs the ready one, and deletes what nothing uses. Runs reach it
 * through the run core's EnvironmentProvider; the routes through EnvironmentService.
 */
export class EnvironmentManager implements EnvironmentProvider {
  readonly layout: EnvLayout;
  readonly lastBuilds = new LastBuilds();
  /** Builds under way, by environment id. */
  private readonly builds = new Map<string, Build>();
  /** Runs holding a slot whose environment was not ready when they took it, by environment. */
  private readonly pending = new Map<string, number>();
  /** Runs using each build folder. */
  private readonly users = new Map<string, number>();
  /** Build folders deleted while runs used them: removed when the last one ends. */
  private readonly retired = new Set<string>();
  private readonly listeners: (() => void)[] = [];

  constructor(readonly catalog: ModuleCatalog, private readonly settings: EnvironmentSettings) {
    this.layout = new EnvLayout(settings.dataDir);
  }

  /** The module's environment, named now; throws EnvironmentKeyError when it cannot be. */
  resolve(module: CatalogModule): ResolvedEnv {
    if (module.requirements === null) throw new Error(`${module.def.id} has no requirements`);
    return resolveEnv(module, module.requirements);
  }

  reserve(module: CatalogModule): EnvironmentTicket | null {
    if (module.requirements === null) return null;
    let env: ResolvedEnv;
    try {
      env = this.resolve(module);
    } catch (err) {
      return new EnvTicket(this, module, { error: (err as Error).message });
    }
    const ready = this.layout.readyBuild(env.envId) !== null;
    if (!ready) this.pending.set(env.envId, (this.pending.get(env.envId) ?? 0) + 1);
    return new EnvTicket(this, module, { env, pending: !ready });
  }

  awaitsBuild(moduleId: string): boolean {
    if (this.builds.size === 0 && this.pending.size === 0) return false;
    const module = this.catalog.get(moduleId);
    if (module === undefined || module.requirements === null) return false;
    try {
      const { envId } = this.resolve(module);
      return (this.builds.has(envId) || this.pending.has(envId)) &&
        this.layout.readyBuild(envId) === null;
    } catch {
      return false;
    }
  }

  onBuildEnd(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The build under way of an environment, if any. */
  buildOf(envId: string): Build | undefined {
    return this.builds.get(envId);
  }

  /** A ticket's claim ended (its prepare settled, or its run ended first). */
  endPending(envId: string): void {
    const n = (this.pending.get(envId) ?? 1) - 1;
    if (n > 0) this.pending.set(envId, n);
    else this.pending.delete(envId);
    this.notify();
  }

  /**
   * The ready environment for a run: the newest complete build, or one built now (or the build
   * under way waited for); the run uses the folder until it releases it.
   */
  async obtain(
    module: CatalogModule,
    env: ResolvedEnv,
    options: PrepareOptions,
  ): Promise<Prepared> {
    for (;;) {
      if (options.signal.aborted) return { ok: false, reason: "stopped" };
      const ready = this.layout.readyBuild(env.envId);
      if (ready !== null) {
        this.users.set(ready, (this.users.get(ready) ?? 0) + 1);
        return { ok: true, venv: ready };
      }
      const under = this.builds.get(env.envId);
      if (under !== undefined) {
        options.say(`waiting for the build of environment ${env.envId} under way`);
        const result = await this.follow(under, options);
        if (result === null) return { ok: false, reason: "stopped" };
        continue; // its folder is ready now; or it failed and this run tries again
      }
      const build = this.build(module, env);
      const stop = () => build.controller.abort();
      options.signal.addEventListener("abort", stop, { once: true });
      try {
        const result = await this.follow(build, options);
        if (result === null) return { ok: false, reason: "stopped" };
        if (!result.ok) return result;
      } finally {
        options.signal.removeEventListener("abort", stop);
      }
    }
  }

  /** Starts a build of the environment (none must be under way). */
  build(module: CatalogModule, env: ResolvedEnv): Build {
    const build = startBuild(module, env, {
      layout: this.layout,
      lastBuilds: this.lastBuilds,
      tool: pickTool(this.settings.envTool, this.settings.uv),
    });
    this.builds.set(env.envId, build);
    void build.result.then(async (result) => {
      // Older builds go before the new one counts as ready (no run picks them any more).
      if (result.ok) await this.retireOlder(env.envId, result.dir).catch(() => {});
      this.builds.delete(env.envId);
      this.notify();
    });
    return build;
  }

  /** Hears a build's lines until it ends; null when the run was stopped first. */
  private async follow(build: Build, options: PrepareOptions) {
    build.followers.add(options.say);
    const stopped = Promise.withResolvers<null>();
    const onAbort = () => stopped.resolve(null);
    options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await Promise.race([build.result, stopped.promise]);
    } finally {
      build.followers.delete(options.say);
      options.signal.removeEventListener("abort", onAbort);
    }
  }

  /** A run stopped using a build folder. */
  unuse(dir: string): void {
    const n = (this.users.get(dir) ?? 1) - 1;
    if (n > 0) {
      this.users.set(dir, n);
      return;
    }
    this.users.delete(dir);
    if (this.retired.delete(dir)) void removeDir(dir).catch(() => {});
  }

  /**
   * Deletes an environment's builds (those runs still use go when they end, and are no longer
   * picked by new runs) and its last-build record.
   */
  async remove(envId: string): Promise<void> {
    for (const dir of this.layout.buildDirs(envId)) await this.retire(dir, true);
    await this.removeIfEmpty(envId);
  }

  /** Deletes environments no module uses, unfinished builds, and builds replaced by newer ones. */
  async sweep(): Promise<void> {
    const used = new Set<string>();
    for (const module of this.catalog.modules) {
      if (module.requirements === null) continue;
      try {
        used.add(this.resolve(module).envId);
      } catch { /* a module whose environment cannot be named uses none */ }
    }
    for (const envId of this.layout.envIds()) {
      const building = this.builds.get(envId)?.dir;
      const dirs = this.layout.buildDirs(envId);
      const newest = dirs.filter(isComplete).at(-1);
      for (const dir of dirs) {
        if (dir === building) continue;
        const keep = used.has(envId) && dir === newest;
        if (!keep) await this.retire(dir, !used.has(envId));
      }
      if (!used.has(envId) && !this.builds.has(envId) && !this.pending.has(envId)) {
        await this.removeIfEmpty(envId);
      }
    }
  }

  /** Aborts the builds under way (shutdown). */
  stop(): void {
    for (const build of this.builds.values()) build.controller.abort();
  }

  private async retireOlder(envId: string, newest: string): Promise<void> {
    for (const dir of this.layout.buildDirs(envId)) {
      if (dir !== newest) await this.retire(dir, false);
    }
  }

  /** Deletes a build folder now, or when the last run using it ends (unmarked first if asked). */
  private async retire(dir: string, unmark: boolean): Promise<void> {
    if (!this.users.has(dir)) {
      await removeDir(dir);
      return;
    }
    this.retired.add(dir);
    if (unmark) await Deno.remove(`${dir}/prismq-env.json`).catch(() => {});
  }

  private async removeIfEmpty(envId: string): Promise<void> {
    if (this.layout.buildDirs(envId).length > 0 || this.builds.has(envId)) return;
    await removeDir(this.layout.envDir(envId));
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
