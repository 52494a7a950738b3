import type { CatalogModule } from "../modules/catalog.ts";

/**
 * Where the run core gets a module's built Python environment (a module with `requirements`).
 * Defined here, implemented in src/envs, injected through runner.ts.
 */
export interface EnvironmentProvider {
  /**
   * Called at once (synchronously) when a run of the module takes a slot here; null when the
   * module needs no environment. From then until the ticket ends, other runs needing the same
   * environment wait while it is not ready (`awaitsBuild`).
   */
  reserve(module: CatalogModule): EnvironmentTicket | null;
  /** True while a run here builds (or is about to build) the module's environment. */
  awaitsBuild(moduleId: string): boolean;
  /** Calls `listener` each time a build ends (the queue may move on). */
  onBuildEnd(listener: () => void): void;
}

/** What a build says while it goes, and when it must stop. */
export interface PrepareOptions {
  /** One line of the build's output, for the run's log as a `system` line. */
  say(line: string): void;
  /** Aborted when the run is cancelled, times out or the server shuts down. */
  signal: AbortSignal;
}

/** The environment a run starts in, or why it could not be had. */
export type Prepared =
  | { ok: true; venv: string }
  | { ok: false; reason: string };

/** One run's claim on its module's environment. */
export interface EnvironmentTicket {
  /** Builds the environment if it is not ready (or waits for the build under way). */
  prepare(options: PrepareOptions): Promise<Prepared>;
  /** The run is over (or never started): its copy may go once deleted. Idempotent. */
  release(): void;
}
