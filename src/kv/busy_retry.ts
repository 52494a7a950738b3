import { setTimeout as delay } from "node:timers/promises";

/** Waits between tries of a KV call that found the database locked by another process. */
const BACKOFF_MS = [2, 5, 10, 20, 40, 80, 150, 250, 400, 500];
/** Tries of one call before the error is let through (about 5 s of waiting in all). */
const MAX_TRIES = 20;

/**
 * True for SQLite's "database is locked" (SQLITE_BUSY): another process sharing the KV file holds
 * the write lock for a moment. Nothing was written, so the call may simply be made again.
 */
export function isBusy(err: unknown): boolean {
  return err instanceof Error &&
    /database is locked|database is busy|SQLITE_BUSY/i.test(err.message);
}

/** The wait before try number `tries + 1`. */
export function backoffMs(tries: number): number {
  return BACKOFF_MS[Math.min(tries, BACKOFF_MS.length - 1)];
}

async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let tries = 0;; tries++) {
    try {
      return await call();
    } catch (err) {
      if (!isBusy(err) || tries + 1 >= MAX_TRIES) throw err;
      await delay(backoffMs(tries));
    }
  }
}

/**
 * A Deno KV whose calls are tried again while the file is locked by another process: several
 * servers on one KV file take turns at SQLite's write lock, and Deno KV reports a busy file as an
 * error instead of waiting for it. Reads, writes, atomic commits and listings are covered (a
 * listing resumes from its cursor); everything else is passed through.
 */
export function retryWhileBusy(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      switch (name) {
        case "get":
        case "getMany":
        case "set":
        case "delete":
        case "enqueue":
          return (...args: unknown[]) => retried(() => value.apply(target, args));
        case "atomic":
          return () => retryingAtomic(target.atomic());
        case "list":
          return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) =>
            retryingList(target, selector, options);
        default:
          return value.bind(target);
      }
    },
  });
}

function retryingAtomic(op: Deno.AtomicOperation): Deno.AtomicOperation {
  return new Proxy(op, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      if (name === "commit") return () => retried(() => target.commit());
      // The builder methods return the operation itself: keep handing out the proxy.
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        return result === target ? receiver : result;
      };
    },
  });
}

async function* retryingList<T>(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  options: Deno.KvListOptions = {},
): AsyncGenerator<Deno.KvEntry<T>> {
  let cursor = options.cursor;
  let given = 0;
  for (let tries = 0;; tries++) {
    const limit = options.limit === undefined ? undefined : options.limit - given;
    if (limit === 0) return;
    const iterator = kv.list<T>(selector, { ...options, cursor, limit });
    try {
      for await (const entry of iterator) {
        given++;
        cursor = iterator.cursor;
        yield entry;
      }
      return;
    } catch (err) {
      if (!isBusy(err) || tries + 1 >= MAX_TRIES) throw err;
      await delay(backoffMs(tries));
    }
  }
}
