/** A small tmpfs to fill up (Linux, as root): the full-disk tests skip where mount is refused. */

function run(program: string, args: string[]): { ok: boolean; err: string } {
  try {
    const out = new Deno.Command(program, { args, stdout: "null", stderr: "piped" }).outputSync();
    return { ok: out.success, err: new TextDecoder().decode(out.stderr).trim() };
  } catch (err) {
    return { ok: false, err: String(err) };
  }
}

/** Why a tmpfs cannot be mounted here, or null when it can (tried once, on a throwaway dir). */
export const cannotMount: string | null = (() => {
  if (Deno.build.os !== "linux") return "tmpfs mounts are a Linux test";
  const dir = Deno.makeTempDirSync({ prefix: "prismq-mount-probe-" });
  const mounted = run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
  if (mounted.ok) run("umount", [dir]);
  Deno.removeSync(dir);
  return mounted.ok ? null : `mount is not permitted here (${mounted.err || "no reason given"})`;
})();

/** A mounted tmpfs of `size` (for example "8m"). */
export interface SmallDisk {
  path: string;
  /** Writes a filler file until the disk is full. */
  fill(): void;
  /** Deletes the filler: space returns. */
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `size` at a new temp dir. */
export function mountSmallDisk(size: string): SmallDisk {
  const path = Deno.makeTempDirSync({ prefix: "prismq-disk-" });
  const mounted = run("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", path]);
  if (!mounted.ok) throw new Error(`mount failed: ${mounted.err}`);
  const filler = `${path}/filler`;
  return {
    path,
    fill() {
      const file = Deno.openSync(filler, { write: true, create: true, append: true });
      const block = new Uint8Array(64 * 1024);
      try {
        for (;;) file.writeSync(block);
      } catch (err) {
        if (!/os error 28|no space/i.test(String(err))) throw err;
      } finally {
        file.close();
      }
    },
    free() {
      Deno.removeSync(filler);
    },
    unmount() {
      // Lazy: a process that still has a file open there does not keep the test waiting.
      run("umount", ["-l", path]);
      Deno.removeSync(path, { recursive: true });
    },
  };
}
