import { join } from "node:path";

/** One installed distribution. */
export interface InstalledPackage {
  name: string;
  version: string;
}

/**
 * The packages installed in an environment, read from its `*.dist-info` folders (what
 * `pip list` reads too), sorted by name. Unix: `lib/python*\/site-packages`; Windows:
 * `Lib\site-packages`.
 */
export function installedPackages(venv: string): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  for (const site of siteDirs(venv)) {
    for (const entry of safeReadDir(site)) {
      if (!entry.isDirectory || !entry.name.endsWith(".dist-info")) continue;
      const meta = readMetadata(join(site, entry.name, "METADATA"));
      if (meta !== null) found.push(meta);
    }
  }
  return found.sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

function siteDirs(venv: string): string[] {
  const dirs = [join(venv, "Lib", "site-packages")];
  for (const lib of ["lib"]) {
    for (const entry of safeReadDir(join(venv, lib))) {
      if (entry.isDirectory && entry.name.startsWith("python")) {
        dirs.push(join(venv, lib, entry.name, "site-packages"));
      }
    }
  }
  return dirs;
}

function safeReadDir(path: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(path)];
  } catch {
    return [];
  }
}

function readMetadata(path: string): InstalledPackage | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return null;
  }
  const header = text.split(/\r?\n\r?\n/, 1)[0];
  const name = /^Name:\s*(.+)$/m.exec(header)?.[1]?.trim();
  const version = /^Version:\s*(.+)$/m.exec(header)?.[1]?.trim();
  return name && version ? { name, version } : null;
}
