/** The server answered an error: its `detail` is what the user reads. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string | null,
    /** The fields a validation error names, as `field: message`. */
    readonly fields: string[] = [],
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

/** Where the client finds the server, from PRISMQ_URL and PRISMQ_API_TOKEN. */
export interface ServerAddress {
  url: string;
  token: string | null;
}

/** The default server of the client. */
export const DEFAULT_URL = "http://127.0.0.1:8000";

/** Reads the server address from the environment. */
export function serverAddress(env: Record<string, string | undefined>): ServerAddress {
  const url = (env.PRISMQ_URL?.trim() || DEFAULT_URL).replace(/\/+$/, "");
  const token = env.PRISMQ_API_TOKEN?.trim() || null;
  return { url, token };
}

/** A small JSON client of the runner's HTTP API. */
export class ApiClient {
  constructor(readonly address: ServerAddress) {}

  /** Headers every request carries (the token when there is one). */
  headers(extra: Record<string, string> = {}): Headers {
    const headers = new Headers(extra);
    if (this.address.token) headers.set("authorization", `Bearer ${this.address.token}`);
    return headers;
  }

  /** Sends a request; a network failure becomes an ApiError naming the server. */
  async send(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(this.address.url + path, init);
    } catch (err) {
      if (init.signal?.aborted) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new ApiError(0, `cannot reach the server at ${this.address.url} (${why})`, null);
    }
  }

  /** GET/POST/DELETE with a JSON answer; an error answer throws ApiError with its detail. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: this.headers({ accept: "application/json" }) };
    if (body !== undefined) {
      (init.headers as Headers).set("content-type", "application/json");
      init.body = JSON.stringify(body);
    }
    const response = await this.send(path, init);
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, text);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(response.status, `the server answered something that is not JSON`, null);
    }
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>("GET", path);
  }
}

/** The error of an answer: the contract's `detail`, or the status when there is none. */
export function errorOf(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text);
    if (typeof body?.detail === "string") {
      const code = typeof body.error_code === "string" ? body.error_code : null;
      const fields = Array.isArray(body.errors)
        ? body.errors.map((e: { field?: unknown; message?: unknown }) => `${e.field}: ${e.message}`)
        : [];
      return new ApiError(status, body.detail, code, fields);
    }
  } catch {
    // Not the contract's envelope (a proxy's page, say): the status says enough.
  }
  return new ApiError(status, `the server answered HTTP ${status}`, null);
}

/** A path segment, escaped. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
