import type { TestModule } from "../helpers.ts";

const text = (name: string) => ({ name, type: "text" });

/** The modules the pipeline tests use: one script, chosen by --mode. */
export const STEP_MODULES: TestModule[] = [
  {
    id: "source",
    script: "pipeline_step.py",
    parameters: [{ name: "mode", type: "text", default: "source" }, {
      name: "count",
      type: "number",
    }],
  },
  {
    id: "add",
    script: "pipeline_step.py",
    stdin: "input",
    parameters: [{ name: "mode", type: "text", default: "add" }, text("field"), text("value")],
  },
  {
    id: "sleep",
    script: "pipeline_step.py",
    parameters: [{ name: "mode", type: "text", default: "sleep" }, {
      name: "seconds",
      type: "number",
    }, text("note")],
  },
  {
    id: "fail",
    script: "pipeline_step.py",
    parameters: [{ name: "mode", type: "text", default: "fail" }],
  },
  {
    id: "note",
    script: "pipeline_step.py",
    parameters: [{ name: "mode", type: "text", default: "note" }, text("note")],
  },
];

/** Pipelines over STEP_MODULES. */
export const PIPELINES = [
  {
    id: "chain",
    name: "Sources, classification, scoring",
    parameters: [{ name: "count", type: "number", default: 3 }],
    steps: [
      { id: "sources", module: "source", parameters: { count: "{{ params.count }}" } },
      {
        id: "classify",
        module: "add",
        parameters: { field: "category", value: "news" },
        input: "{{ steps.sources.result }}",
      },
      {
        id: "score",
        module: "add",
        parameters: { field: "score", value: "run {{ steps.classify.status }}" },
        input: "{{ steps.classify.output }}",
      },
    ],
  },
  {
    id: "fan",
    name: "Fan out and in",
    steps: [
      { id: "a", module: "note", parameters: { note: "a" } },
      { id: "b", module: "sleep", needs: ["a"], parameters: { seconds: 1.5, note: "b" } },
      { id: "c", module: "sleep", needs: ["a"], parameters: { seconds: 1.5, note: "c" } },
      {
        id: "d",
        module: "note",
        needs: ["b", "c"],
        parameters: { note: "{{ steps.b.result.note }}{{ steps.c.result.note }}" },
      },
    ],
  },
  {
    id: "broken",
    name: "A failing middle step",
    steps: [
      { id: "first", module: "note", parameters: { note: "1" } },
      { id: "middle", module: "fail" },
      { id: "after", module: "note", parameters: { note: "3" } },
      { id: "rescue", module: "note", needs: ["middle"], when: "failure" },
    ],
  },
  {
    id: "missing",
    name: "A missing result path",
    steps: [
      { id: "first", module: "note", parameters: { note: "1" } },
      {
        id: "second",
        module: "note",
        parameters: { note: "{{ steps.first.result.nope.deeper }}" },
      },
    ],
  },
  {
    id: "slow",
    name: "A slow step, then more",
    steps: [
      { id: "nap", module: "sleep", parameters: { seconds: 30 } },
      { id: "after", module: "note", parameters: { note: "never" } },
    ],
  },
];
