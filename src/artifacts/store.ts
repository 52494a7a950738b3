import { isAbsolute, join } from "node:path";
import { AppError, quoteClipped } from "../errors.ts";
import { openChecked } from "./open_checked.ts";
import { isServableName, MAX_DEPTH, walkNames } from "./walk.ts";

/** How long a walk of a run's folder is used again, and for how many runs at most. */
const WALK_KEEP_MS = 10_000;
const WALKS_KEPT = 8;

/** One file a run wrote into its output folder. */
export interface Artifact {
  /** Relative to the run's folder, `/`-separated. */
  name: string;
  size: number;
  modified_at: string | null;
}

/** An artifact opened for download. */
export interface OpenArtifact {
  name: string;
  size: number;
  file: Deno.FsFile;
}

/**
 * Each run's output folder, `<data dir>/artifacts/<run id>`, handed to the child as
 * PRISMQ_OUTPUT_DIR. Files are streamed from disk, never held in memory. Only regular files
 * reached without a link are artifacts: a link (inside or out, even one swapped in during a
 * request) is neither listed nor served, and a name that leaves the folder is not found.
 */
export class ArtifactStore {
  /** Recent walks of runs' folders (see `names`). */
  private readonly walks = new Map<string, { names: Promise<string[]>; until: number }>();

  constructor(private readonly root: string) {}

  /** The absolute folder of a run. */
  folder(runId: string): string {
    return join(this.root, runId);
  }

  /** Creates the run's folder (owner only) before the run starts; answers its path. */
  async prepare(runId: string): Promise<string> {
    const dir = this.folder(runId);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /**
   * A page of the files below the run's folder, sorted by name, after the name `after`: at most
   * `limit`, and the name to continue after (null on the last page). Empty when there is no
   * folder. What is listed is what `open` serves and what `count` counts (see walk.ts); `final`
   * (the run is final) lets the walk of a request a few seconds ago answer.
   */
  async list(
    runId: string,
    page: { limit: number; after?: string; final: boolean },
  ): Promise<{ artifacts: Artifact[]; next: string | null }> {
    const base = this.folder(runId);
    // A running run's files change: walked at every request. A final run's are not.
    if (!page.final) this.walks.delete(runId);
    const names = await this.names(runId);
    const from = page.after === undefined ? 0 : firstAfter(names, page.after);
    const slice = names.slice(from, from + page.limit);
    const artifacts: Artifact[] = [];
    for (const name of slice) {
      const info = await Deno.lstat(join(base, ...name.split("/"))).catch(() => null);
      if (info === null || !info.isFile) continue; // removed since the walk
      artifacts.push({ name, size: info.size, modified_at: info.mtime?.toISOString() ?? null });
    }
    const more = from + page.limit < names.length;
    return { artifacts, next: more ? slice.at(-1)! : null };
  }

  /** How many files the run left (what the listing shows, over all its pages). */
  async count(runId: string): Promise<number> {
    this.walks.delete(runId); // counted at the run's end: what it wrote last counts
    return (await this.names(runId)).length;
  }

  /**
   * The walk of a run's folder, shared by the requests of a few seconds: paging through 100,000
   * files, or eight clients asking at once, walks the folder once.
   */
  private names(runId: string): Promise<string[]> {
    const now = performance.now();
    const cached = this.walks.get(runId);
    if (cached !== undefined && cached.until > now) return cached.names;
    const names = walkNames(this.folder(runId));
    this.walks.delete(runId);
    this.walks.set(runId, { names, until: now + WALK_KEEP_MS });
    for (const [id, walk] of this.walks) {
      if (this.walks.size <= WALKS_KEPT && walk.until > now) break;
      this.walks.delete(id);
    }
    return names;
  }

  /**
   * Opens one file for reading without following any link (see open_checked.ts);
   * ARTIFACT_NOT_FOUND for a name that is not listed, a link, anything not a regular file.
   */
  async open(runId: string, name: string): Promise<OpenArtifact> {
    const parts = name.split("/");
    const file = isServableName(name) && !isAbsolute(name) && parts.length <= MAX_DEPTH + 1
      ? await openChecked(this.folder(runId), parts)
      : null;
    if (file === null) {
      throw new AppError(
        "ARTIFACT_NOT_FOUND",
        `Run "${runId}" has no artifact ${quoteClipped(name)}.`,
      );
    }
    return { name, size: (await file.stat()).size, file };
  }

  /** Deletes the run's folder (retention); a missing folder is fine. */
  /** Ids of the runs that have a folder here. */
  async runIds(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.root)) {
        if (entry.isDirectory) ids.push(entry.name);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return ids;
  }

  async remove(runId: string): Promise<void> {
    await Deno.remove(this.folder(runId), { recursive: true }).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }
}

/** Index of the first name after `after` in sorted `names`. */
function firstAfter(names: string[], after: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (names[mid] <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
