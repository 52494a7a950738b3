/** One field that failed validation. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Error codes of the contract. The core names what went wrong; the HTTP layer alone decides how
 * each code is answered (src/http/errors.ts).
 */
export const ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN_ORIGIN",
  "FORBIDDEN_HOST",
  "FORBIDDEN_WEBHOOK_LOOP",
  "NOT_FOUND",
  "MODULE_NOT_FOUND",
  "RUN_NOT_FOUND",
  "ARTIFACT_NOT_FOUND",
  "SCHEDULE_NOT_FOUND",
  "INPUT_NOT_FOUND",
  "PIPELINE_NOT_FOUND",
  "PIPELINE_RUN_NOT_FOUND",
  "RUN_ALREADY_FINISHED",
  "PIPELINE_RUN_ALREADY_FINISHED",
  "NO_ENVIRONMENT",
  "CONFLICT",
  "NOT_A_SERVICE",
  "PAYLOAD_TOO_LARGE",
  "INPUT_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "VALIDATION_ERROR",
  "MODULE_UNAVAILABLE",
  "QUEUE_FULL",
  "STORAGE_FULL",
  "INTERNAL_ERROR",
  "SHUTTING_DOWN",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error family of the service; the HTTP layer turns it into the contract's envelope. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** A module id the catalog does not have. */
export function moduleNotFound(moduleId: string): AppError {
  return new AppError("MODULE_NOT_FOUND", `Module "${moduleId}" was not found.`);
}

/** A run id that is not stored. */
export function runNotFound(runId: string): AppError {
  return new AppError("RUN_NOT_FOUND", `Run "${runId}" was not found.`);
}

/** Every failing field listed at once. */
export function validationError(errors: FieldError[], detail = "Validation failed."): AppError {
  return new AppError("VALIDATION_ERROR", detail, errors);
}

/** Error raised at start for a setting or module file the server cannot run with. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** What a caller sent, as quoted in an error message: at most 200 characters. */
export function quoteClipped(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
