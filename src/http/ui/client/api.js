// @ts-check
// Every request of the pages goes through here: it adds the API token when this tab has one,
// asks for one when the server answers 401, and turns error answers into ApiError.
import { askForToken } from "./token_dialog.js";

/** @typedef {import("./types.d.ts").FieldError} FieldError */

const TOKEN_KEY = "prismq.apiToken";

/** The API token kept for this tab (sessionStorage only: it goes when the tab closes), or null. */
export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** An error answer of the API: the contract's `{detail, error_code, errors?}`. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} detail
   * @param {string} code
   * @param {FieldError[]} [errors]
   */
  constructor(status, detail, code, errors = []) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

/** @type {Promise<string> | null} */
let asking = null;

/**
 * `fetch` for /api: sends the token, and on a 401 asks for one (one dialog for every request
 * that waits) and tries again with it. Rejects with ApiError when the person gives none.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
export async function apiFetch(path, init = {}) {
  for (;;) {
    const token = storedToken();
    const headers = new Headers(init.headers);
    if (token !== null) headers.set("authorization", `Bearer ${token}`);
    const res = await fetch(path, { ...init, headers });
    if (res.status !== 401) return res;
    await res.body?.cancel();
    // Another request may have been given a token while this one was on its way.
    if (storedToken() !== token) continue;
    asking ??= askForToken(token !== null).finally(() => asking = null);
    try {
      sessionStorage.setItem(TOKEN_KEY, await asking);
    } catch {
      throw new ApiError(
        401,
        "This server needs its API token; reload the page to enter it.",
        "UNAUTHORIZED",
      );
    }
  }
}

/**
 * A JSON answer of the API (null for 204); an error answer becomes an ApiError.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
export async function apiJson(path, init) {
  const res = await apiFetch(path, init);
  if (res.ok) return res.status === 204 ? null : await res.json();
  throw await toApiError(res);
}

/**
 * Sends a JSON body. The Content-Type matters: the server refuses any other with 415.
 * @param {"POST" | "PUT" | "PATCH"} method
 * @param {string} path
 * @param {unknown} body
 */
export function sendJson(method, path, body) {
  return apiJson(path, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/**
 * The error of a failed answer; a body that is not the envelope still gives a sentence.
 * @param {Response} res
 * @returns {Promise<ApiError>}
 */
export async function toApiError(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (typeof body?.detail === "string") {
      return new ApiError(res.status, body.detail, String(body.error_code), body.errors ?? []);
    }
  } catch {
    // not JSON: described below
  }
  return new ApiError(res.status, `The server answered ${res.status} ${res.statusText}.`, "HTTP");
}

/**
 * A path segment for a URL: ids and names are encoded, so no value can change the path.
 * @param {string} value
 */
export function seg(value) {
  return encodeURIComponent(value);
}
