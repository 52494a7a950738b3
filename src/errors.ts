/** One field that failed validation. */
export interface FieldError {
  field: string;
  message: string;
}

/** Error codes of the contract, each with the HTTP status it is answered with. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  MODULE_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  RUN_ALREADY_FINISHED: 409,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION_ERROR: 422,
  MODULE_UNAVAILABLE: 422,
  QUEUE_FULL: 429,
  INTERNAL_ERROR: 500,
  SHUTTING_DOWN: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error family of the service; routes turn it into the contract's error envelope. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = "AppError";
  }

  /** HTTP status for this error's code. */
  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }
}

/** 404 for a module id the catalog does not have. */
export function moduleNotFound(moduleId: string): AppError {
  return new AppError("MODULE_NOT_FOUND", `Module "${moduleId}" was not found.`);
}

/** 404 for a run id that is not stored. */
export function runNotFound(runId: string): AppError {
  return new AppError("RUN_NOT_FOUND", `Run "${runId}" was not found.`);
}

/** 422 with every failing field listed. */
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
