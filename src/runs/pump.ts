import type { Admission, QueuedRun } from "./admission.ts";
import type { PoolFull } from "../pools/holds.ts";

/** What became of an admitted run: started (or ended unstarted), or its module was full. */
export interface Launched {
  started: Promise<unknown>;
  /** Set before `started` settles when the store said the module has no slot on any server. */
  readonly moduleFull: boolean;
  /** Set before `started` settles when the store said a pool it uses has too few free slots. */
  readonly poolFull: PoolFull | null;
}

/**
 * Starts queued runs while slots allow, in submission order. Each admitted run is handed to
 * `launch` (which gives it a supervisor), and the next one is admitted only once that one is
 * stored as running, so runs also start in queue order. A run whose module turns out full across
 * servers stays queued, and its module is passed over for the rest of the drain. Kicks coalesce:
 * one drain runs at a time, and a kick during it makes it look at the queue once more.
 */
export class QueuePump {
  private draining = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly admission: Admission,
    private readonly launch: (run: QueuedRun) => Launched,
  ) {}

  /** Looks at the queue now (a slot freed, a run was queued, a wake-up came). Safe to call any time. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    void this.drain();
  }

  /** Admits nothing more (shutdown): queued runs stay queued for the next start. */
  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      do {
        this.again = false;
        const full = new Set<string>();
        for (let run = this.next(full); run !== null; run = this.next(full)) {
          const launched = this.launch(run);
          await launched.started;
          if (launched.moduleFull) {
            full.add(run.moduleId);
            this.admission.noteFull(run.moduleId);
          }
          // The pool's count as found: the run now waits for it, and later runs needing it too.
          if (launched.poolFull !== null) this.admission.notePoolFull(launched.poolFull);
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      console.error("the queue pump failed:", err);
    } finally {
      this.draining = false;
    }
  }

  private next(full: ReadonlySet<string>): QueuedRun | null {
    return this.stopped ? null : this.admission.admitNext(full);
  }
}
