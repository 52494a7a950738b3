/**
 * Windows Job Objects through kernel32 (Deno.dlopen): every process a run starts is in its job,
 * also the ones whose parent already exited (a `ping.exe` left by the `cmd.exe` of a batch
 * file), where a `taskkill /T` walk from the run's pid finds nothing. Terminating the job ends
 * them all. The job is made with "kill on job close", so a server that dies leaves no tree
 * behind either. Needs `--allow-ffi` for kernel32.dll (deno.json grants exactly that path); without
 * it, or off Windows, there are no jobs and stopping falls back to taskkill alone.
 *
 * A process started by the run in the instant between its spawn and its assignment to the job
 * is not in the job (Deno cannot start a process suspended); taskkill /T still reaches it while
 * its parent lives.
 */

const SYMBOLS = {
  CreateJobObjectW: { parameters: ["pointer", "pointer"], result: "pointer" },
  SetInformationJobObject: { parameters: ["pointer", "i32", "buffer", "u32"], result: "i32" },
  QueryInformationJobObject: {
    parameters: ["pointer", "i32", "buffer", "u32", "pointer"],
    result: "i32",
  },
  AssignProcessToJobObject: { parameters: ["pointer", "pointer"], result: "i32" },
  TerminateJobObject: { parameters: ["pointer", "u32"], result: "i32" },
  OpenProcess: { parameters: ["u32", "i32", "u32"], result: "pointer" },
  CloseHandle: { parameters: ["pointer"], result: "i32" },
} as const;

type Kernel32 = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const PROCESS_TERMINATE = 0x0001;
const PROCESS_SET_QUOTA = 0x0100;
const JOB_BASIC_PROCESS_ID_LIST = 3;
const JOB_EXTENDED_LIMIT_INFORMATION = 9;
/** sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) on 64-bit Windows. */
const EXTENDED_LIMIT_BYTES = 144;
/** Offset of BasicLimitInformation.LimitFlags in it. */
const LIMIT_FLAGS_OFFSET = 16;
const JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000;
/** Pids read at once from a job (a run with more is still counted, only not all listed). */
const MAX_LISTED = 256;

/** The kernel32.dll path the ffi permission names (deno.json grants it). */
export function kernel32Path(env: { SystemRoot?: string } = {}): string {
  return `${env.SystemRoot ?? "C:\\Windows"}\\System32\\kernel32.dll`;
}

let kernel32: Kernel32 | null | undefined;

/** Whether jobs can be used here, and why not. */
export function jobSupport(os: typeof Deno.build.os = Deno.build.os): {
  available: boolean;
  reason: string | null;
} {
  if (os !== "windows") return { available: false, reason: "not Windows" };
  if (loadKernel32() !== null) return { available: true, reason: null };
  return {
    available: false,
    reason: `--allow-ffi=${kernel32Path()} is not granted (or kernel32.dll did not load)`,
  };
}

function loadKernel32(): Kernel32 | null {
  if (kernel32 !== undefined) return kernel32;
  const path = kernel32Path({ SystemRoot: safeEnv("SystemRoot") });
  try {
    if (Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") {
      return kernel32 = null;
    }
    kernel32 = Deno.dlopen(path, SYMBOLS).symbols;
  } catch {
    kernel32 = null;
  }
  return kernel32;
}

function safeEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** One run's Job Object. */
export class WindowsJob {
  private closed = false;

  private constructor(private readonly k: Kernel32, private readonly handle: Deno.PointerObject) {}

  /**
   * Makes a job (kill on close) and puts process `pid` in it; null where jobs are not available
   * or the process could not be assigned (it may have exited already).
   */
  static adopt(pid: number, os: typeof Deno.build.os = Deno.build.os): WindowsJob | null {
    if (os !== "windows") return null;
    const k = loadKernel32();
    if (k === null) return null;
    const handle = k.CreateJobObjectW(null, null);
    if (handle === null) return null;
    const job = new WindowsJob(k, handle);
    const limits = new Uint8Array(EXTENDED_LIMIT_BYTES);
    new DataView(limits.buffer).setUint32(
      LIMIT_FLAGS_OFFSET,
      JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
      true,
    );
    k.SetInformationJobObject(handle, JOB_EXTENDED_LIMIT_INFORMATION, limits, limits.length);
    const process = k.OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, 0, pid);
    const assigned = process !== null && k.AssignProcessToJobObject(handle, process) !== 0;
    if (process !== null) k.CloseHandle(process);
    if (!assigned) {
      job.close();
      return null;
    }
    return job;
  }

  /** Pids of the live processes in the job (at most MAX_LISTED); [] once closed. */
  processIds(): number[] {
    if (this.closed) return [];
    const buffer = new Uint8Array(8 + MAX_LISTED * 8);
    const ok = this.k.QueryInformationJobObject(
      this.handle,
      JOB_BASIC_PROCESS_ID_LIST,
      buffer,
      buffer.length,
      null,
    );
    const view = new DataView(buffer.buffer);
    const listed = view.getUint32(4, true);
    // A failed query with processes assigned (more than fit) still says some are alive.
    if (ok === 0) return view.getUint32(0, true) > 0 ? [-1] : [];
    const pids: number[] = [];
    for (let i = 0; i < Math.min(listed, MAX_LISTED); i++) {
      pids.push(Number(view.getBigUint64(8 + i * 8, true)));
    }
    return pids;
  }

  /** Ends every process in the job (exit code 1, as taskkill /F); false when it failed. */
  terminate(): boolean {
    return !this.closed && this.k.TerminateJobObject(this.handle, 1) !== 0;
  }

  /** Closes the job; any process still in it is ended (kill on job close). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.k.CloseHandle(this.handle);
  }
}

/** The line the server prints at start on Windows when runs get no job; null when they do. */
export function jobWarning(os: typeof Deno.build.os = Deno.build.os): string | null {
  const support = jobSupport(os);
  if (os !== "windows" || support.available) return null;
  return `warning: runs get no job object (${support.reason}): stopping a run reaches only ` +
    "the processes taskkill /T finds from its main process";
}
