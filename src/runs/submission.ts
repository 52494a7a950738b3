import { RUN_ID_PATTERN } from "./store.ts";
import { customAlphabet } from "nanoid";
import { AppError, validationError } from "../errors.ts";
import type { CatalogModule } from "../modules/catalog.ts";
import type { PresetStore } from "../modules/presets.ts";
import { secretNames } from "../modules/secrets.ts";
import { unsafeBareValues } from "../modules/args.ts";
import { checkInputSize } from "./input.ts";
import { RunInput } from "./run_input.ts";
import { newRunRecord, type RunRecord } from "./model.ts";
import type { RunRequest } from "./request.ts";
import { moveRun, type RunParts } from "./parts.ts";
import { finalOutcome } from "./transitions.ts";
import { RunSupervisor } from "./supervisor.ts";
import { slotsByPool } from "../pools/schema.ts";

const newRunId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 16);

/** What submission works with besides the shared parts. */
export interface SubmissionDeps {
  parts: RunParts;
  presets: PresetStore;
}

/**
 * Submission and admission of new runs: checks a request, gives the run its id and submission
 * order, and either starts it at once (a slot is free here, its module has one across servers,
 * and nobody waits ahead of it) or stores it as queued (the queue poll and the pump start it).
 */
export class Submissions {
  private lastOrder = 0;
  private closed = false;

  constructor(private readonly deps: SubmissionDeps) {}

  /** Continues the submission order after the highest one stored; call before the first submit. */
  resumeAfter(order: number): void {
    this.lastOrder = Math.max(this.lastOrder, order);
  }

  /** Refuses every later submission with 503 SHUTTING_DOWN. */
  close(): void {
    this.closed = true;
  }

  /** Validates and submits a run; resolves with its stored record, running or queued. */
  async submit(request: RunRequest): Promise<RunRecord> {
    const { parts, presets } = this.deps;
    const { catalog, options } = parts;
    const { moduleId } = request;
    if (request.runId !== undefined) {
      // A programming error, not a request's: picked ids come from pickedRunId.
      if (!RUN_ID_PATTERN.test(request.runId)) throw new Error(`bad run id ${request.runId}`);
      const earlier = await parts.store.get(request.runId);
      if (earlier !== null) return earlier;
    }
    // 413 comes before any other refusal.
    if (request.input) checkInputSize(request.input.bytes.length, options.maxInputBytes);
    const module = catalog.require(moduleId);
    const availability = catalog.availability(module);
    if (!availability.available && request.recordUnavailable && !this.closed) {
      return await this.recordFailedStart(request, module, availability.reason!);
    }
    if (!availability.available) {
      throw new AppError(
        "MODULE_UNAVAILABLE",
        `Module "${moduleId}" is unavailable: ${availability.reason}.`,
      );
    }
    const checked = module.validator.validate(request.parameters);
    const errors = checked.ok
      ? unsafeBareValues(module.def.parameters, checked.values, module.templateParams)
      : checked.errors;
    if (request.input && module.def.stdin !== "input") {
      errors.push({ field: "input", message: 'is not read by this module (its stdin is "none")' });
    }
    if (!checked.ok || errors.length > 0) throw validationError(errors);
    const runId = request.runId ?? newRunId();
    const input = await RunInput.of(parts, runId, module, request);
    let stored: RunRecord;
    try {
      stored = await this.admit(request, module, checked.values, runId, input);
    } catch (err) {
      // Parts no record points at would never be read nor deleted.
      await input?.discard();
      throw err;
    }
    input?.settled();
    // Presets are saved only for a run that was accepted (not for a 429 or 503).
    if (request.saveConfig) await presets.save(moduleId, module.def.parameters, checked.values);
    return stored;
  }

  /** Starts a checked run at once or queues it (or refuses it: shutdown, a full queue). */
  private async admit(
    request: RunRequest,
    module: CatalogModule,
    values: RunRecord["parameters"],
    runId: string,
    input: RunInput | null,
  ): Promise<RunRecord> {
    const { admission, options } = this.deps.parts;
    const { moduleId } = request;
    // A run that will wait in the queue is stored with its input; one that starts now is fed
    // from memory while its input is written (see run_input.ts).
    if (!(request.runId === undefined && admission.canStartNow(moduleId))) await input?.stored();
    // From this check on nothing awaits until the run is registered or queued, so shutdown
    // either sees the run or the run sees shutdown.
    if (this.closed) throw new AppError("SHUTTING_DOWN", "The server is shutting down.");
    const startNow = request.runId === undefined && admission.canStartNow(moduleId);
    if (!startNow && admission.queuedCount >= options.maxQueuedRuns) {
      throw new AppError("QUEUE_FULL", `The queue is full (${options.maxQueuedRuns} runs wait).`);
    }
    const now = Date.now();
    const record = newRunRecord({
      run_id: runId,
      module_id: moduleId,
      module_name: module.def.name,
      parameters: values,
      secret_parameters: secretNames(module.def.parameters, values),
      order: this.nextOrder(now),
      created_at: now,
      startsOn: null,
      origin: request.origin,
      input: input === null
        ? null
        : { bytes: input.encoded.bytes.length, type: input.encoded.type },
    });
    if (startNow) input?.begin();
    // A module full on other servers sends a run that looked startable to the queue after all.
    const started = startNow
      ? await this.start(record, module, {
        input: input?.encoded.bytes,
        launchAfter: request.launchAfter,
      })
      : null;
    if (started !== null) return started;
    await input?.stored();
    return await this.enqueue(record, request.runId !== undefined);
  }

  /**
   * Starts a run that found a free slot here: its supervisor stores it as running and spawns it.
   * Null when the store says its module has no slot left on any server (it is queued instead).
   */
  private async start(
    queued: RunRecord,
    module: CatalogModule,
    given: { input?: Uint8Array; launchAfter?: Promise<unknown> },
  ): Promise<RunRecord | null> {
    const { parts } = this.deps;
    const record: RunRecord = {
      ...queued,
      status: "running",
      started_at: queued.created_at,
      host_id: parts.hostId(),
      pool_slots: slotsByPool(module.uses),
    };
    parts.admission.claim(record.module_id);
    const supervisor = new RunSupervisor(parts, {
      kind: "new",
      record,
      module,
      reorder: () => this.nextOrder(Date.now()),
      input: given.input,
      launchAfter: given.launchAfter,
    });
    const started = await supervisor.started;
    if (started !== null) return started;
    if (supervisor.poolFull !== null) parts.admission.notePoolFull(supervisor.poolFull);
    if (supervisor.moduleFull || supervisor.poolFull !== null) return null;
    if (this.closed) throw new AppError("SHUTTING_DOWN", "The server is shutting down.");
    // The cause tells the caller why (a full disk answers 507 STORAGE_FULL).
    const cause = supervisor.startError;
    throw new Error(`run ${record.run_id} could not be stored`, { cause });
  }

  /**
   * Stores a run as queued. With `idPicked` (a caller-chosen id), a run stored meanwhile under the
   * same id is answered instead: that submission won.
   */
  private async enqueue(record: RunRecord, idPicked = false): Promise<RunRecord> {
    const { parts } = this.deps;
    const entry = () => ({ runId: record.run_id, moduleId: record.module_id, order: record.order });
    parts.admission.enqueue(entry(), true);
    try {
      const stored = await this.createUnique(record, undefined, async (moved) => {
        const winner = idPicked ? await parts.store.get(moved.run_id) : null;
        if (winner !== null) return winner;
        parts.admission.leave(record.run_id);
        record = moved;
        parts.admission.enqueue(entry(), true);
        return null;
      });
      if (stored !== record) {
        parts.admission.leave(record.run_id);
        return stored;
      }
    } catch (err) {
      parts.admission.leave(record.run_id);
      throw err;
    }
    parts.admission.created(record.run_id);
    parts.events.emit(record);
    // A run queued behind one whose module is full elsewhere may start here at once.
    if (parts.admission.hasFreeSlot()) parts.wakeQueue();
    return record;
  }

  /**
   * Stores a new run, giving it a fresh submission order when another server took its order
   * meanwhile (`reordered` hears of each new one); throws after a few lost races.
   */
  private async createUnique(
    record: RunRecord,
    prepare?: (op: Deno.AtomicOperation) => void,
    reordered?: (record: RunRecord) => Promise<RunRecord | null>,
  ): Promise<RunRecord> {
    for (let tries = 1;; tries++) {
      if (await this.deps.parts.store.create(record, prepare)) return record;
      if (tries >= 20) throw new Error(`run ${record.run_id} could not be stored`);
      record = { ...record, order: this.nextOrder(Date.now()) };
      // The hook may answer a run that makes this one needless (the same picked id, stored).
      const instead = await reordered?.(record);
      if (instead) return instead;
    }
  }

  /** A run whose module cannot run: stored, then moved through running to failed with why. */
  private async recordFailedStart(
    request: RunRequest,
    module: CatalogModule,
    reason: string,
  ): Promise<RunRecord> {
    const { parts } = this.deps;
    const now = Date.now();
    const values = Object.fromEntries(
      Object.entries(request.parameters).filter(([, v]) =>
        typeof v === "string" || typeof v === "number" || typeof v === "boolean"
      ),
    ) as RunRecord["parameters"];
    const record = newRunRecord({
      run_id: newRunId(),
      module_id: module.def.id,
      module_name: module.def.name,
      parameters: values,
      secret_parameters: secretNames(module.def.parameters, values),
      order: this.nextOrder(now),
      created_at: now,
      startsOn: parts.hostId(),
      origin: request.origin,
    });
    const stored = await this.createUnique(record);
    const { status, error_message } = finalOutcome({ kind: "start_failed", reason });
    return await moveRun(parts, stored.run_id, {
      to: status,
      changes: { completed_at: now, error_message, artifacts: 0 },
    }) ?? stored;
  }

  /** A unique, increasing order: microseconds of the submission time, or one past the last. */
  private nextOrder(now: number): number {
    this.lastOrder = Math.max(now * 1000, this.lastOrder + 1);
    return this.lastOrder;
  }
}
