import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../src/errors.ts";

/** The one place where errors become HTTP answers with the contract's envelope. */
export function errorResponse(err: unknown, c: Context): Response {
  const appError = toAppError(err);
  if (appError.code === "INTERNAL_ERROR") {
    console.error(`${c.req.method} ${c.req.path} failed:`, err);
  }
  const body: Record<string, unknown> = { detail: appError.message, error_code: appError.code };
  if (appError.errors) body.errors = appError.errors;
  if (appError.code === "UNAUTHORIZED") c.header("WWW-Authenticate", 'Bearer realm="prismq"');
  return c.json(body, appError.status);
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 401) {
      return new AppError("UNAUTHORIZED", "A valid bearer token is required.");
    }
    if (err.status === 413) {
      return new AppError("PAYLOAD_TOO_LARGE", "The request body is larger than 1 MiB.");
    }
    if (err.status === 400) return new AppError("BAD_REQUEST", err.message || "Bad request.");
    if (err.status === 404) return new AppError("NOT_FOUND", err.message || "Not found.");
  }
  return new AppError("INTERNAL_ERROR", "An unexpected error occurred.");
}
