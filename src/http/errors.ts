import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type ErrorCode } from "../errors.ts";
import { isStorageFull } from "../kv/storage_full.ts";

/** How each of the contract's error codes is answered. */
export const HTTP_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN_ORIGIN: 403,
  FORBIDDEN_HOST: 403,
  FORBIDDEN_WEBHOOK_LOOP: 403,
  NOT_FOUND: 404,
  MODULE_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  ARTIFACT_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  INPUT_NOT_FOUND: 404,
  PIPELINE_NOT_FOUND: 404,
  PIPELINE_RUN_NOT_FOUND: 404,
  RUN_ALREADY_FINISHED: 409,
  PIPELINE_RUN_ALREADY_FINISHED: 409,
  NO_ENVIRONMENT: 409,
  CONFLICT: 409,
  NOT_A_SERVICE: 409,
  PAYLOAD_TOO_LARGE: 413,
  INPUT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_ERROR: 422,
  MODULE_UNAVAILABLE: 422,
  QUEUE_FULL: 429,
  STORAGE_FULL: 507,
  INTERNAL_ERROR: 500,
  SHUTTING_DOWN: 503,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

/** The body-limit answer, shared by the middleware and the mapping of Hono's own 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The one place where errors become HTTP answers with the contract's envelope. */
export function errorResponse(err: unknown, c: Context): Response {
  const appError = toAppError(err);
  if (appError.code === "INTERNAL_ERROR") {
    console.error(`${c.req.method} ${c.req.path} failed:`, err);
  }
  const body = errorEnvelope(appError);
  if (appError.code === "UNAUTHORIZED") c.header("WWW-Authenticate", 'Bearer realm="prismq"');
  return c.json(body, HTTP_STATUS[appError.code]);
}

/** The payload-too-large error of a body limit of `maxBytes` (1 MiB unless said). */
export function payloadTooLarge(maxBytes = MAX_BODY_BYTES): AppError {
  const size = maxBytes % (1024 * 1024) === 0
    ? `${maxBytes / (1024 * 1024)} MiB`
    : `${maxBytes} bytes`;
  return new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than ${size}.`);
}

/** The contract's error envelope of an error (MCP tool errors carry it too). */
export function errorEnvelope(appError: AppError): Record<string, unknown> {
  const body: Record<string, unknown> = { detail: appError.message, error_code: appError.code };
  if (appError.errors) body.errors = appError.errors;
  return body;
}

/** Any thrown value as one of the contract's errors (INTERNAL_ERROR when unknown). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // A write the full disk refused: the request may work once space returns, nothing is broken.
  if (isStorageFull(err)) {
    return new AppError(
      "STORAGE_FULL",
      "The server's disk is full: nothing new can be stored until space is freed.",
    );
  }
  if (err instanceof HTTPException) {
    switch (err.status) {
      case 401:
        return new AppError("UNAUTHORIZED", "A valid bearer token is required.");
      case 413:
        return payloadTooLarge();
      case 400:
        return new AppError("BAD_REQUEST", badRequestDetail(err.message));
      case 404:
        return new AppError("NOT_FOUND", err.message || "Not found.");
      case 415:
        return new AppError(
          "UNSUPPORTED_MEDIA_TYPE",
          "The request body must be JSON, sent with Content-Type: application/json.",
        );
    }
  }
  return new AppError("INTERNAL_ERROR", "An unexpected error occurred.");
}

/** Hono's validator says "Malformed JSON in request body"; the contract's words are ours. */
function badRequestDetail(message: string): string {
  return /json/i.test(message) ? "The request body is not valid JSON." : message || "Bad request.";
}
