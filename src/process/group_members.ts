type Os = typeof Deno.build.os;

/**
 * How this platform lists the members of a process group: `ps` on POSIX (Linux, macOS, BSD),
 * nothing on Windows, which has no process groups (a tree whose leader exited is out of reach
 * there). Linux's /proc/PID/stat would spare a process, but Deno lets only --allow-all read /proc.
 */
export function groupListing(os: Os): { program: string; args: string[] } | null {
  return os === "windows" ? null : { program: "ps", args: ["-A", "-o", "pid=,pgid=,stat="] };
}

/** Pids of `ps -A -o pid=,pgid=,stat=` output that are in group `pgid` and not zombies. */
export function parsePsMembers(output: string, pgid: number): number[] {
  const pids: number[] = [];
  for (const line of output.split("\n")) {
    const [pid, group, stat] = line.trim().split(/\s+/);
    // A zombie is dead already: it only waits for a parent to reap it.
    if (Number(group) === pgid && stat !== undefined && !stat.startsWith("Z")) {
      pids.push(Number(pid));
    }
  }
  return pids;
}

/**
 * Live members of process group `pgid`; null where there are no process groups (Windows) or
 * they could not be listed (`ps` missing or not permitted by a scoped --allow-run).
 */
export async function groupMembers(pgid: number, os: Os = Deno.build.os): Promise<number[] | null> {
  const listing = groupListing(os);
  if (listing === null) return null;
  try {
    const out = await new Deno.Command(listing.program, {
      args: listing.args,
      stdin: "null",
      stderr: "null",
    }).output();
    return out.success ? parsePsMembers(new TextDecoder().decode(out.stdout), pgid) : null;
  } catch {
    // Not listable here: the caller falls back to asking whether the group is alive at all.
    return null;
  }
}
