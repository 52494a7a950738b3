import type { Context, MiddlewareHandler } from "hono";
import { findStringMember, spliceNull } from "../json/string_member.ts";
import { checkInputSize, type EncodedInput } from "../runs/mod.ts";

/** Routes whose body's `input` member is a run's input (a module's run, a re-run). */
const RUN_INPUT_ROUTES = [/^\/api\/modules\/[^/]+\/run$/, /^\/api\/runs\/[^/]+\/rerun$/];

/** Inputs taken out of their request's body, by request (see takenInput). */
const taken = new WeakMap<Context, EncodedInput>();

/**
 * Takes the `input` out of a run request's JSON body as bytes, in one pass over the body (see
 * json/string_member.ts), and leaves the body's text with `"input": null` for the route's
 * validation. The route reads the input with `takenInput`. 413 INPUT_TOO_LARGE is answered here
 * at once, so it still comes before any 422. A body this cannot read with certainty (not one
 * object, odd escapes, JSON not as JSON.stringify writes it) is left as it is, for the usual parse.
 */
export function takeRunInput(maxInputBytes: number): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST" || !RUN_INPUT_ROUTES.some((r) => r.test(c.req.path))) {
      return await next();
    }
    const body = new Uint8Array(await c.req.arrayBuffer());
    const member = findStringMember(body, "input");
    if (member !== null) {
      checkInputSize(member.value.length, maxInputBytes);
      taken.set(c, { bytes: member.value, type: member.type });
    }
    // What validation reads, decoded once here: from the cached bytes, Hono would copy them
    // into a new Response first (about 45 ms for 16 MiB, measured). It keeps promises here (its
    // type says the values).
    const text = member !== null ? spliceNull(body, member) : new TextDecoder().decode(body);
    c.req.bodyCache = { text: Promise.resolve(text) as unknown as string };
    await next();
  };
}

/** The input `takeRunInput` took out of this request's body, or null. */
export function takenInput(c: Context): EncodedInput | null {
  return taken.get(c) ?? null;
}
