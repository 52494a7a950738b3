import { Layout } from "./layout.tsx";

/** `/pipelines`: the pipelines of the module file (pipelines_page.js). */
export function PipelinesPage() {
  return (
    <Layout title="Pipelines" script="pipelines_page.js" section="pipelines">
      <h1>Pipelines</h1>
      <p class="subtitle">Chains of module runs: each step starts when the steps it needs end.</p>
      <p id="page-message" class="notice" aria-live="polite">Loading pipelines…</p>
      <ul id="pipelines-list" class="card-list"></ul>
      <h2>Recent pipeline runs</h2>
      <ul id="pipeline-runs" class="recent-runs"></ul>
    </Layout>
  );
}

/** `/pipelines/{id}`: the parameter form and the picture of the steps (pipeline_page.js). */
export function PipelinePage(props: { pipelineId: string }) {
  return (
    <Layout title={props.pipelineId} script="pipeline_page.js" section="pipelines">
      <p class="breadcrumb">
        <a href="/pipelines">Pipelines</a>
      </p>
      <h1 id="pipeline-title" data-pipeline-id={props.pipelineId}>{props.pipelineId}</h1>
      <p id="pipeline-description"></p>
      <p id="page-message" class="notice" aria-live="polite">Loading the pipeline…</p>
      <section aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        <div id="pipeline-graph" class="pipeline-graph"></div>
      </section>
      <form id="run-form" class="run-form" novalidate hidden aria-labelledby="form-title">
        <h2 id="form-title">Parameters</h2>
        <div id="form-errors" class="notice error" role="alert" hidden></div>
        <div id="fields"></div>
        <div class="actions">
          <button type="submit" class="primary">Run pipeline</button>
        </div>
      </form>
    </Layout>
  );
}

/** `/pipeline-runs/{id}`: the live picture, links to step runs, Cancel and Resume. */
export function PipelineRunPage(props: { pipelineRunId: string }) {
  return (
    <Layout title={props.pipelineRunId} script="pipeline_run_page.js" section="pipelines">
      <p class="breadcrumb">
        <a href="/pipelines">Pipelines</a>
      </p>
      <h1 id="run-title" data-pipeline-run-id={props.pipelineRunId}>
        Pipeline run <code>{props.pipelineRunId}</code>
      </h1>
      <p id="page-message" class="notice" aria-live="polite">Loading the pipeline run…</p>
      <p id="run-summary" aria-live="polite"></p>
      <div class="actions">
        <button type="button" id="cancel-button" hidden>Cancel pipeline</button>
        <button type="button" id="resume-button" hidden>Resume</button>
      </div>
      <div id="action-errors" class="notice error" role="alert" hidden></div>
      <div id="pipeline-graph" class="pipeline-graph"></div>
    </Layout>
  );
}
