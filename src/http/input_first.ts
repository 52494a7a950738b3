import type { Hook } from "@hono/zod-openapi";
import type { Env } from "hono";
import { encodeInput } from "../runs/mod.ts";

type AnyHook = Hook<unknown, Env, string, unknown>;

/**
 * A request validation hook that answers 413 INPUT_TOO_LARGE before the 422 of a body that also
 * fails validation elsewhere: an oversized `input` is refused first, whatever else is wrong.
 */
export function inputFirstHook(maxInputBytes: number, next: AnyHook): AnyHook {
  return async (result, c) => {
    if (!result.success && result.target === "json") {
      // The validator has read the body: this is its cached parse, not a second one.
      const body: unknown = await c.req.json().catch(() => undefined);
      if (typeof body === "object" && body !== null && "input" in body) {
        encodeInput(body.input, maxInputBytes);
      }
    }
    return await next(result, c);
  };
}
