import { RUN_STATUSES } from "../../runs/mod.ts";
import { Layout } from "./layout.tsx";

// The four pages are shells: headings, landmarks and empty regions with their roles and
// labels. Each page's script fills them from /api (see layout.tsx for why).

/** `/`: the modules, grouped by category, with a search box. */
export function ModulesPage() {
  return (
    <Layout title="Modules" script="modules_page.js" section="modules">
      <h1>Modules</h1>
      <div class="toolbar">
        <label for="module-search">Search modules</label>
        <input
          id="module-search"
          type="search"
          placeholder="Name, description, category or tag"
          autocomplete="off"
        />
      </div>
      <p id="page-message" class="notice" aria-live="polite">Loading modules…</p>
      <div id="module-groups"></div>
    </Layout>
  );
}

/** `/modules/{id}`: one module and its run form. */
export function ModulePage(props: { moduleId: string }) {
  return (
    <Layout title={props.moduleId} script="module_page.js" section="modules">
      <p class="breadcrumb">
        <a href="/">Modules</a>
      </p>
      <h1 id="module-title" data-module-id={props.moduleId}>{props.moduleId}</h1>
      <div id="module-info"></div>
      <p id="page-message" class="notice" aria-live="polite">Loading the module…</p>
      <div class="module-layout">
        <form id="run-form" class="run-form" novalidate hidden aria-labelledby="form-title">
          <h2 id="form-title">Parameters</h2>
          <div id="form-errors" class="notice error" role="alert" hidden></div>
          <div id="fields"></div>
          <div id="input-field" class="field" hidden>
            <label for="run-input">Input</label>
            <p id="run-input-hint" class="hint">
              Written to the module's standard input: JSON is sent as that value, anything else as
              text. Leave it empty for none.
            </p>
            <textarea
              id="run-input"
              rows={8}
              spellcheck={false}
              aria-describedby="run-input-hint run-input-error"
            >
            </textarea>
            <p id="run-input-error" class="field-error" hidden></p>
          </div>
          <div class="actions">
            <button type="submit" class="primary">Run</button>
            <button type="button" id="save-defaults">Save as defaults</button>
            <button type="button" id="reset-defaults">Reset defaults</button>
          </div>
          <p id="form-message" class="form-message" aria-live="polite"></p>
        </form>
        <section id="environment-panel" class="panel" aria-labelledby="environment-title" hidden>
          <h2 id="environment-title">Python environment</h2>
          <p id="environment-status" role="status"></p>
          <p id="environment-error" class="error-text" hidden></p>
          <ul id="environment-packages" class="recent-runs"></ul>
          <p class="actions">
            <button type="button" id="environment-rebuild">Rebuild</button>
          </p>
          <details id="environment-log-box">
            <summary>Last build's output</summary>
            <pre id="environment-log" class="build-log"></pre>
          </details>
        </section>
        <section class="panel" aria-labelledby="recent-title">
          <h2 id="recent-title">Recent runs</h2>
          <ul id="recent-runs" class="recent-runs"></ul>
          <p>
            <a href={`/runs?module_id=${encodeURIComponent(props.moduleId)}`}>
              All runs of this module
            </a>
          </p>
        </section>
      </div>
    </Layout>
  );
}

/** `/runs`: the history, newest first, filtered and paged. */
export function RunsPage() {
  return (
    <Layout title="Runs" script="runs_page.js" section="runs">
      <h1>Runs</h1>
      <form id="run-filters" class="toolbar filters">
        <div class="field">
          <label for="filter-module">Module</label>
          <select id="filter-module" name="module_id">
            <option value="">All modules</option>
          </select>
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" name="status">
            <option value="">All statuses</option>
            {RUN_STATUSES.map((status) => <option key={status} value={status}>{status}</option>)}
          </select>
        </div>
      </form>
      <p id="page-message" class="notice" aria-live="polite">Loading runs…</p>
      <div class="table-wrap" role="region" aria-labelledby="runs-caption" tabindex={0}>
        <table id="runs-table">
          <caption id="runs-caption">Runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Module</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Duration</th>
              <th scope="col">Exit code</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" id="first-page" disabled>First page</button>
        <button type="button" id="prev-page" disabled>Previous page</button>
        <span id="page-info"></span>
        <button type="button" id="next-page" disabled>Next page</button>
      </nav>
    </Layout>
  );
}

/** `/runs/{run_id}`: one run, its details and its live log. */
export function RunPage(props: { runId: string }) {
  const id = encodeURIComponent(props.runId);
  return (
    <Layout title={`Run ${props.runId}`} script="run_page.js" section="runs">
      <p class="breadcrumb">
        <a href="/runs">Runs</a>
      </p>
      <h1 id="run-title" data-run-id={props.runId}>
        Run <code>{props.runId}</code>
      </h1>
      <p id="run-module" class="subtitle"></p>
      <div class="run-head">
        <p class="run-status">
          Status: <span id="run-status" role="status" class="badge">loading</span>
          <span id="queue-info"></span>
        </p>
        <p id="run-waiting" class="waiting-for" hidden></p>
        <div class="actions">
          <button type="button" id="cancel-run" class="danger" hidden>Cancel run</button>
          <a
            id="download-log"
            class="button"
            href={`/api/runs/${id}/logs/download`}
            download={`${props.runId}.log`}
          >
            Download log
          </a>
        </div>
      </div>
      <div id="progress" class="progress" hidden>
        <div
          id="progress-bar"
          role="progressbar"
          aria-label="Progress"
          aria-valuemin={0}
          aria-valuemax={100}
          class="progress-track"
        >
          <div class="progress-fill"></div>
        </div>
        <span id="progress-text"></span>
      </div>
      <p id="page-message" class="notice" aria-live="polite" hidden></p>
      <div class="run-grid">
        <section class="panel" aria-labelledby="details-title">
          <h2 id="details-title">Details</h2>
          <dl id="run-details" class="details"></dl>
        </section>
        <section class="panel" aria-labelledby="parameters-title">
          <h2 id="parameters-title">Parameters</h2>
          <dl id="run-parameters" class="details"></dl>
        </section>
        <section id="result-section" class="panel" aria-labelledby="result-title" hidden>
          <h2 id="result-title">Result</h2>
          <pre id="run-result" class="result" tabindex={0}></pre>
        </section>
        <section id="input-section" class="panel" aria-labelledby="input-title" hidden>
          <h2 id="input-title">Input</h2>
          <p id="input-info" class="muted"></p>
          <pre id="input-text" class="result" tabindex={0}></pre>
          <p>
            <a
              id="download-input"
              class="button"
              href={`/api/runs/${id}/input`}
              download={`${props.runId}-input`}
            >
              Download input
            </a>
          </p>
        </section>
        <section id="artifacts-section" class="panel" aria-labelledby="artifacts-title" hidden>
          <h2 id="artifacts-title">Artifacts</h2>
          <p id="artifact-count" class="muted"></p>
          <ul id="artifact-list" class="artifacts"></ul>
          <button type="button" id="artifacts-more" hidden>Show more files</button>
        </section>
      </div>
      <section class="log-section" aria-labelledby="log-title">
        <div class="log-head">
          <h2 id="log-title">Log</h2>
          <span id="log-count" class="muted"></span>
          <button type="button" id="log-follow" hidden>Scroll to latest</button>
        </div>
        <div id="log" class="log" role="log" aria-labelledby="log-title" tabindex={0}></div>
      </section>
    </Layout>
  );
}
