/**
 * The data dir holds the store (password values of queued runs), the runs' files and this server's
 * id: it is the owner's alone. A new one is created 0700; one that already exists with group or
 * other access (made by hand, by an older version, or under a loose umask) is tightened here.
 */

/** Access bits for the group and for others. */
const GROUP_OTHER = 0o077;

/**
 * Sets an existing data dir with group or other access to 0700; returns the line that says so, or
 * null when nothing changed (already private, or Windows, where mode bits mean nothing).
 */
export async function tightenDataDir(
  dataDir: string,
  os: typeof Deno.build.os = Deno.build.os,
): Promise<string | null> {
  if (os === "windows") return null;
  const mode = (await Deno.stat(dataDir)).mode;
  if (mode === null || (mode & GROUP_OTHER) === 0) return null;
  const was = `PRISMQ_DATA_DIR=${JSON.stringify(dataDir)} was open to group or others (mode ${
    (mode & 0o777).toString(8).padStart(4, "0")
  })`;
  try {
    await Deno.chmod(dataDir, 0o700);
  } catch (err) {
    // Someone else's folder shared on purpose: the server still works, so say it and go on.
    return `${was} and could not be set to 0700: ${err instanceof Error ? err.message : err}`;
  }
  return `${was}: set to 0700`;
}
