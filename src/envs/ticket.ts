import type { CatalogModule } from "../modules/catalog.ts";
import type { EnvironmentTicket, Prepared, PrepareOptions } from "../runs/mod.ts";
import type { ResolvedEnv } from "./builds.ts";

/**
 * What a ticket asks of the environments (the EnvironmentManager, which makes tickets): an
 * interface here, so that ticket.ts does not import the manager back.
 */
export interface TicketIssuer {
  /** The ready environment for a run, built (or its build waited for) if need be. */
  obtain(module: CatalogModule, env: ResolvedEnv, options: PrepareOptions): Promise<Prepared>;
  /** A run stopped using a build folder. */
  unuse(venv: string): void;
  /** A ticket's claim ended (its prepare settled, or its run ended first). */
  endPending(envId: string): void;
}

/** One run's claim on its module's environment (see EnvironmentProvider.reserve). */
export class EnvTicket implements EnvironmentTicket {
  private pending: boolean;
  private used: string | null = null;
  private released = false;

  constructor(
    private readonly manager: TicketIssuer,
    private readonly module: CatalogModule,
    private readonly claim: { env: ResolvedEnv; pending: boolean } | { error: string },
  ) {
    this.pending = "env" in claim && claim.pending;
  }

  async prepare(options: PrepareOptions): Promise<Prepared> {
    if ("error" in this.claim) return { ok: false, reason: this.claim.error };
    const { env } = this.claim;
    try {
      const prepared = await this.manager.obtain(this.module, env, options);
      if (prepared.ok) {
        if (this.released) this.manager.unuse(prepared.venv);
        else this.used = prepared.venv;
        options.say(`environment ${env.envId} (Python ${env.identity.version}): ${prepared.venv}`);
      }
      return prepared;
    } finally {
      this.endPending();
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.endPending();
    if (this.used !== null) this.manager.unuse(this.used);
    this.used = null;
  }

  private endPending(): void {
    if (!this.pending || "error" in this.claim) return;
    this.pending = false;
    this.manager.endPending(this.claim.env.envId);
  }
}
