import { AppError } from "../errors.ts";
import { keys } from "../kv/keys.ts";
import type { CatalogModule } from "../modules/catalog.ts";
import { type EncodedInput, type InputStore, readRunInput } from "./input.ts";
import type { RunStore } from "./store.ts";

/**
 * A new run's input on its way to KV. A queued run's record is stored only once its input is
 * (a restart then finds both). A run that starts at once is fed from memory while its parts are
 * written (`begin`): 16 MiB takes 22 synced commits, 140-380 ms on this machine's disk, which no
 * longer hold back the 202 and the spawn. Its record then points at parts still being written:
 * readers here wait for them (readRunInput), its final write waits for them (final_write.ts), and
 * a crash before the last part leaves that run with an input that is not there (GET .../input
 * answers 404, and a re-run or retry without a new input is refused rather than run without it).
 */
export class RunInput {
  private storing: Promise<void> | null = null;

  private constructor(
    private readonly inputs: InputStore,
    private readonly runId: string,
    readonly encoded: EncodedInput,
  ) {}

  /**
   * The input a request gives the run `runId`: its own, or an earlier run's (a re-run's, a
   * retry's); null when none. 404 INPUT_NOT_FOUND when the earlier run's input is incomplete.
   */
  static async of(
    deps: { inputs: InputStore; store: RunStore },
    runId: string,
    module: CatalogModule,
    request: { input?: EncodedInput | null; inputFromRun?: string },
  ): Promise<RunInput | null> {
    let input = request.input ?? null;
    if (input === null && request.inputFromRun && module.def.stdin === "input") {
      const earlier = await deps.store.get(request.inputFromRun);
      input = earlier === null ? null : await readRunInput(deps.inputs, earlier);
      if (earlier !== null && earlier.input_bytes !== null && input === null) {
        throw new AppError(
          "INPUT_NOT_FOUND",
          `Run "${earlier.run_id}" has no complete input any more (the server stopped while ` +
            "storing it): give the new run its input.",
        );
      }
    }
    return input === null ? null : new RunInput(deps.inputs, runId, input);
  }

  /** Starts writing the parts, if not under way yet. */
  begin(): void {
    this.storing ??= this.inputs.writeRun(this.runId, this.encoded.bytes);
  }

  /** Writes the parts (or waits for the write under way); throws when they were not stored. */
  async stored(): Promise<void> {
    this.begin();
    await this.storing;
  }

  /** The run was stored: its input is not pending once its parts are (in the background). */
  settled(): void {
    void this.storing?.then(() => this.inputs.clearPending(this.runId), () => {});
  }

  /** The run was refused: its parts go once the write under way ended. */
  async discard(): Promise<void> {
    await this.storing?.catch(() => {});
    await this.inputs.delete(keys.inputPrefix(this.runId)).catch(() => {});
    await this.inputs.clearPending(this.runId);
  }
}
