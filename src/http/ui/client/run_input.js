// @ts-check
// The run page's Input panel: the first 64 KiB of the run's stdin input and a download link.
import { apiFetch, seg, toApiError } from "./api.js";
import { downloadWithToken } from "./downloads.js";
import { byId, errorText } from "./dom.js";
import { formatBytes } from "./format.js";

/** Most of an input shown on the page; the download link has all of it. */
const SHOWN_BYTES = 64 * 1024;

let drawn = false;

/**
 * Shows the run's input once, when it has one (`input_bytes`; absent on older servers).
 * @param {{ run_id: string, input_bytes?: number | null }} run
 */
export async function drawInput(run) {
  if (drawn || run.input_bytes === null || run.input_bytes === undefined) return;
  drawn = true;
  const link = /** @type {HTMLAnchorElement} */ (byId("download-input"));
  downloadWithToken(link);
  byId("input-section").hidden = false;
  const info = byId("input-info");
  const total = run.input_bytes;
  info.textContent = total > SHOWN_BYTES
    ? `${formatBytes(total)}; the first 64 KiB are shown.`
    : formatBytes(total);
  try {
    const res = await apiFetch(`/api/runs/${seg(run.run_id)}/input`);
    if (!res.ok) throw await toApiError(res);
    byId("input-text").textContent = await head(res, SHOWN_BYTES);
  } catch (err) {
    info.textContent = `The input could not be read: ${errorText(err)}`;
  }
}

/**
 * The first `limit` bytes of an answer as text; the rest is not downloaded.
 * @param {Response} res
 * @param {number} limit
 */
async function head(res, limit) {
  if (res.body === null) return "";
  const reader = res.body.getReader();
  /** @type {Uint8Array[]} */
  const parts = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.length;
  }
  await reader.cancel();
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  // A character cut at the limit shows as one replacement sign.
  return new TextDecoder().decode(bytes.subarray(0, limit));
}
