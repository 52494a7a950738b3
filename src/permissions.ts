import { isRemoteOrMemory, type Settings } from "./settings.ts";

/** One permission the settings need, and the flag that grants it. */
export interface NeededPermission {
  descriptor: Deno.PermissionDescriptor;
  flag: string;
  setting: string;
}

/** What the settings need before anything is opened: module file, env, net, data dir, KV, python. */
export function settingsPermissions(settings: Settings): NeededPermission[] {
  const needed: NeededPermission[] = [
    {
      descriptor: { name: "read", path: settings.modulesPath },
      flag: `--allow-read=${settings.modulesPath}`,
      setting: "PRISMQ_MODULES",
    },
    { descriptor: { name: "env" }, flag: "--allow-env", setting: "the environment" },
    {
      descriptor: { name: "net", host: `${settings.host}:${settings.port || 1}` },
      flag: `--allow-net=${settings.host}`,
      setting: "PRISMQ_HOST/PRISMQ_PORT",
    },
  ];
  if (!isRemoteOrMemory(settings.kvPath)) {
    for (const name of ["read", "write"] as const) {
      needed.push({
        descriptor: { name, path: settings.dataDir },
        flag: `--allow-${name}=${settings.dataDir}`,
        setting: "PRISMQ_DATA_DIR",
      });
      needed.push({
        descriptor: { name, path: settings.kvPath },
        flag: `--allow-${name}=${settings.kvPath}`,
        setting: "PRISMQ_KV_PATH",
      });
    }
  }
  if (settings.hostId === null) {
    needed.push({
      descriptor: { name: "sys", kind: "hostname" },
      flag: "--allow-sys=hostname",
      setting: "PRISMQ_HOST_ID (its default is this machine's host name and the port)",
    });
  }
  needed.push(runPermission(settings.python, "PRISMQ_PYTHON"));
  return needed;
}

/** What the loaded modules need: their scripts (read), interpreters and helper programs (run). */
export function modulePermissions(
  settings: Settings,
  modules: {
    interpreters: readonly string[];
    scripts: readonly string[];
    helpers: readonly string[];
  },
): NeededPermission[] {
  const needed: NeededPermission[] = [];
  for (const command of new Set(modules.helpers)) {
    needed.push({
      descriptor: { name: "run", command },
      flag: `--allow-run=${command}`,
      setting: "starting runs in their own process group",
    });
  }
  for (const path of new Set(modules.scripts)) {
    needed.push({
      descriptor: { name: "read", path },
      flag: `--allow-read=${path}`,
      setting: "a module's script",
    });
  }
  for (const command of new Set(modules.interpreters)) {
    if (command !== settings.python) needed.push(runPermission(command, "a module's interpreter"));
  }
  return needed;
}

function runPermission(command: string, setting: string): NeededPermission {
  return { descriptor: { name: "run", command }, flag: `--allow-run=${command}`, setting };
}

/** The first needed permission that is not granted, as one line for the user; null when all are. */
export async function missingPermission(
  needed: readonly NeededPermission[],
): Promise<string | null> {
  for (const p of needed) {
    const status = await Deno.permissions.query(p.descriptor);
    if (status.state !== "granted") return `missing permission ${p.flag} (needed for ${p.setting})`;
  }
  return null;
}
