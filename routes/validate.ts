import type { Context } from "hono";
import type { z } from "zod";
import { AppError, validationError } from "../src/errors.ts";

function fieldErrors(error: z.ZodError) {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

/** Parses the JSON body with a schema: 400 for malformed JSON, 422 listing every bad field. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError("BAD_REQUEST", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw validationError(fieldErrors(parsed.error), "The request body is invalid.");
  }
  return parsed.data;
}

/** Parses the query string with a schema: 422 listing every bad value. */
export function queryParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw validationError(fieldErrors(parsed.error), "The query is invalid.");
  return parsed.data;
}
