// Shapes of the API answers the client reads (see /openapi.json). Fields another release adds
// are optional, so a page works against servers with and without them.

export type ParamValue = string | number | boolean;

export interface Parameter {
  name: string;
  type: "text" | "number" | "select" | "checkbox" | "password";
  default?: ParamValue | null;
  required?: boolean;
  description?: string;
  label?: string;
  placeholder?: string;
  options?: (string | number)[];
  min?: number;
  max?: number;
  validation?: { pattern: string; message?: string };
  conditional_display?: { field: string; value: ParamValue };
  warning?: string;
  arg?: string;
}

export interface Module {
  id: string;
  name: string;
  description: string;
  category: string;
  version: string;
  parameters: Parameter[];
  tags: string[];
  status: "active" | "inactive" | "maintenance";
  enabled: boolean;
  available: boolean;
  unavailable_reason: string | null;
  last_run: string | null;
  total_runs: number;
  success_rate: number | null;
  /** This server's build of its environment; null or absent without `requirements`. */
  environment_status?: "none" | "building" | "ready" | "failed" | null;
  stdin?: "none" | "input";
}

export type RunStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

export interface Progress {
  progress_percent?: number | null;
  items_processed?: number | null;
  items_total?: number | null;
  progress_message?: string | null;
}

export interface Run extends Progress {
  run_id: string;
  module_id: string;
  module_name: string;
  status: RunStatus;
  parameters: Record<string, ParamValue>;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  duration_seconds: number | null;
  exit_code: number | null;
  error_message: string | null;
  queue_position: number | null;
  input_bytes?: number | null;
  log_lines: number;
  result?: unknown;
  artifacts?: number | null;
  /** The server that started it, when several share a store (null while queued). */
  host_id?: string | null;
  /** While queued: why it waits, or null when it is next in line. */
  waiting_for?: string | null;
}

export interface Pool {
  name: string;
  slots: number;
  in_use: number;
  queued: number;
  runs: string[];
}

export interface RunList {
  runs: Run[];
  total: number;
  limit: number;
  next_cursor: string | null;
}

export interface LogLine {
  seq: number;
  timestamp: string;
  stream: "stdout" | "stderr" | "system";
  level?: "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";
  message: string;
}

export interface Artifact {
  name: string;
  size: number;
  modified_at: string | null;
}

export interface FieldError {
  field: string;
  message: string;
}

export interface Preset {
  module_id: string;
  parameters: Record<string, ParamValue | null>;
  updated_at: string | null;
}

/** What `fetch` is to the client: the API's fetch adds the token. */
export type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

export interface PipelineStep {
  id: string;
  module: string;
  needs: string[];
  when: "success" | "failure" | "always";
}

export interface Pipeline {
  id: string;
  name: string;
  description: string;
  parameters: Parameter[];
  steps: PipelineStep[];
  last_run_at: string | null;
  total_runs: number;
}

export interface PipelineStepRun {
  step_id: string;
  module_id: string;
  status: string;
  run_id: string | null;
  started_at: string | null;
  completed_at: string | null;
  error_message: string | null;
}

export interface PipelineRun {
  pipeline_run_id: string;
  pipeline_id: string;
  status: string;
  parameters: Record<string, ParamValue>;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  duration_seconds: number | null;
  error_message: string | null;
  trigger: string;
  resumed_from: string | null;
  steps: PipelineStepRun[];
}

export interface Service {
  module_id: string;
  desired: "running" | "stopped";
  parameters: Record<string, string | number | boolean>;
  replicas: {
    replica: number;
    run_id: string | null;
    status: string | null;
    started_at: string | null;
    restarts: number;
    next_start_at: string | null;
  }[];
  restarts_total: number;
  last_exit: { run_id: string; exit_code: number | null; completed_at: string } | null;
}

/** GET /api/modules/{id}/environment. */
export interface Environment {
  module_id: string;
  status: "none" | "building" | "ready" | "failed";
  env_id: string | null;
  python_version: string | null;
  built_at: string | null;
  build_seconds: number | null;
  packages: { name: string; version: string }[];
  error: string | null;
}
