// @ts-check
// `/runs/{run_id}`: the run's details and its log, live until the run ends.
import { ApiError, apiFetch, apiJson, seg } from "./api.js";
import { downloadWithToken } from "./downloads.js";
import { byId, errorText, showMessage } from "./dom.js";
import { LogView } from "./log_view.js";
import { drawArtifacts, drawDetails, drawProgress, drawStatus } from "./run_details.js";
import { followLog } from "./sse.js";
import { drawInput } from "./run_input.js";

/** @typedef {import("./types.d.ts").Run} Run */

const runId = /** @type {string} */ (byId("run-title").dataset.runId);
const runPath = `/api/runs/${seg(runId)}`;
/** How often a queued run's place in the queue is asked for (the stream sends transitions). */
const QUEUE_POLL_MS = 2000;

const followButton = byId("log-follow");
const count = byId("log-count");
const log = new LogView(
  byId("log"),
  (following) => followButton.hidden = following,
  (n) =>
    count.textContent = n === 0
      ? "no lines yet"
      : n === 1
      ? "1 line"
      : `${n.toLocaleString()} lines`,
);
followButton.addEventListener("click", () => log.follow());
downloadWithToken(/** @type {HTMLAnchorElement} */ (byId("download-log")));

/** @type {Run | null} */
let current = null;

/** A run's status only moves forward: queued, running, then final. */
const STAGE = { queued: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };

/**
 * Draws the run, unless it is older news than what is shown (an answer to a request that was
 * on its way while the stream reported a later status).
 * @param {Run} run
 */
function draw(run) {
  if (current !== null && STAGE[run.status] < STAGE[current.status]) return;
  current = run;
  drawStatus(run);
  drawDetails(run);
  drawProgress(run);
  drawInput(run);
}

async function refresh() {
  draw(await apiJson(runPath));
}

let polling = false;

async function pollQueue() {
  if (polling) return;
  polling = true;
  while (current?.status === "queued") {
    await new Promise((resolve) => setTimeout(resolve, QUEUE_POLL_MS));
    await refresh().catch(() => {});
  }
  polling = false;
}

/** Files asked for at a time: a run with 100,000 files is not fetched at once. */
const ARTIFACT_PAGE = 100;
const moreArtifacts = /** @type {HTMLButtonElement} */ (byId("artifacts-more"));
/** The `next_cursor` of the last page of files shown, or null when all are shown. */
let artifactCursor = /** @type {string | null} */ (null);

/**
 * Lists the files of a final run, a page at a time ("Show more files" asks for the next); a
 * server whose RUN has no `artifacts` count has none.
 * @param {boolean} [append] add the next page to those shown
 */
async function loadArtifacts(append = false) {
  const count = current?.artifacts;
  if (count === undefined || count === null) return;
  if (count === 0) return drawArtifacts(runId, { artifacts: [], total: 0, append: false });
  moreArtifacts.disabled = true;
  try {
    const cursor = append && artifactCursor ? `&cursor=${encodeURIComponent(artifactCursor)}` : "";
    const list = await apiJson(`${runPath}/artifacts?limit=${ARTIFACT_PAGE}${cursor}`);
    drawArtifacts(runId, { artifacts: list.artifacts, total: count, append });
    artifactCursor = list.next_cursor ?? null;
    moreArtifacts.hidden = artifactCursor === null;
  } catch (err) {
    showMessage(`The run's files could not be listed: ${errorText(err)}`, "error");
  } finally {
    moreArtifacts.disabled = false;
  }
}
moreArtifacts.addEventListener("click", () => void loadArtifacts(true));

async function follow() {
  try {
    await followLog({
      runId,
      fetch: apiFetch,
      onLines: (lines) => log.append(lines),
      onEvent: (name, data) => {
        if (name === "status" || name === "end") {
          draw(/** @type {Run} */ (data));
        } else if (name === "progress") {
          drawProgress(/** @type {import("./types.d.ts").Progress} */ (data));
        }
      },
    });
    await refresh();
    await loadArtifacts();
  } catch (err) {
    showMessage(`The live log stopped: ${errorText(err)}`, "error");
  }
}

const cancelButton = /** @type {HTMLButtonElement} */ (byId("cancel-run"));
cancelButton.addEventListener("click", async () => {
  cancelButton.disabled = true;
  cancelButton.textContent = "Cancelling…";
  try {
    // Answers once the run is cancelled: the graceful stop, then the kill, are done.
    draw(await apiJson(runPath, { method: "DELETE" }));
  } catch (err) {
    const finished = err instanceof ApiError && err.code === "RUN_ALREADY_FINISHED";
    showMessage(
      finished ? "The run had already finished." : `Cancel failed: ${errorText(err)}`,
      "error",
    );
    await refresh().catch(() => {});
  } finally {
    cancelButton.disabled = false;
    cancelButton.textContent = "Cancel run";
  }
});

try {
  /** @type {Run} */
  const run = await apiJson(runPath);
  draw(run);
  if (run.status === "queued") pollQueue();
  follow();
} catch (err) {
  showMessage(errorText(err), "error");
  byId("run-status").textContent = "unknown";
}
