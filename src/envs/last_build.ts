import { join } from "node:path";
import { LAST_BUILD, LAST_BUILD_LOG } from "./layout.ts";

/** How an environment's last finished build went (kept in its folder, per server). */
export interface LastBuild {
  status: "ready" | "failed";
  error: string | null;
  started_at: number;
  ended_at: number;
}

/** Longest build log kept for the web UI (its last lines). */
const MAX_LOG_LINES = 2000;

/** Stores and reads the last build of each environment: `last-build.json` and its log. */
export class LastBuilds {
  /** Writes how the build went and its output, replacing the previous ones. */
  write(envDir: string, build: LastBuild, lines: readonly string[]): void {
    try {
      Deno.mkdirSync(envDir, { recursive: true });
      Deno.writeTextFileSync(join(envDir, LAST_BUILD_LOG), lines.slice(-MAX_LOG_LINES).join("\n"));
      Deno.writeTextFileSync(join(envDir, LAST_BUILD), JSON.stringify(build));
    } catch (err) {
      console.error(`environment ${envDir}: its last build could not be recorded:`, err);
    }
  }

  /** The last finished build, or null when none is recorded. */
  read(envDir: string): LastBuild | null {
    try {
      return JSON.parse(Deno.readTextFileSync(join(envDir, LAST_BUILD)));
    } catch {
      return null;
    }
  }

  /** The last build's output lines (empty when none is recorded). */
  log(envDir: string): string[] {
    try {
      const text = Deno.readTextFileSync(join(envDir, LAST_BUILD_LOG));
      return text === "" ? [] : text.split("\n");
    } catch {
      return [];
    }
  }
}
