import { type Hook, z } from "@hono/zod-openapi";
import type { Env } from "hono";
import { type ErrorCode, validationError } from "../errors.ts";
import { HTTP_STATUS } from "./errors.ts";

/** The contract's error envelope, registered once as the `Error` component. */
export const errorSchema = z.object({
  detail: z.string(),
  error_code: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
}).openapi("Error");

/** Routes behind the bearer token name it; `/api/health` and the pages name none. */
export const SECURED = [{ bearerAuth: [] }];

/** Every route behind the token can answer these, and the browser-safety guards these. */
export const GUARD_ERRORS = [
  "UNAUTHORIZED",
  "FORBIDDEN_HOST",
  "FORBIDDEN_WEBHOOK_LOOP",
] as const satisfies ErrorCode[];
/** What the guards answer to a request with a body (see src/http/guards/). */
export const BODY_ERRORS = [
  "BAD_REQUEST",
  "FORBIDDEN_ORIGIN",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "VALIDATION_ERROR",
] as const satisfies ErrorCode[];

/** A JSON answer of one schema. */
export function jsonContent<S extends z.ZodType>(schema: S, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/**
 * The error answers of a route, grouped by status; each names the codes it can carry, so the
 * document says exactly what a caller has to handle.
 */
export function errorResponses(...codes: ErrorCode[]) {
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of codes) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  const out: Record<number, ReturnType<typeof jsonContent>> = {};
  for (const [status, set] of byStatus) {
    const listed = [...set] as [ErrorCode, ...ErrorCode[]];
    const schema = z.intersection(errorSchema, z.object({ error_code: z.enum(listed) }));
    out[status] = jsonContent(schema, listed.join(", "));
  }
  return out;
}

const DETAIL = {
  json: "The request body is invalid.",
  query: "The query is invalid.",
  param: "The path is invalid.",
  header: "A header is invalid.",
} as Record<string, string>;

/** Turns a failed request validation into the contract's 422 with every failing field. */
export const validationHook: Hook<unknown, Env, string, unknown> = (result) => {
  if (result.success) return;
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
  throw validationError(errors, DETAIL[result.target] ?? "The request is invalid.");
};

/** A whole number in a query string, documented as an integer with its bounds. */
export function queryInt(min: number, max: number) {
  return z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().int().min(min).max(max),
  ).openapi({ type: "integer", minimum: min, maximum: max });
}

/**
 * A streamed answer (a download, a file) has no typed form in zod-openapi's handler types,
 * which expect `c.json` or `c.text`; the route's declaration still documents its content.
 */
export function streamedResponse(response: Response): never {
  return response as never;
}
