import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { getMimeType } from "hono/utils/mime";
import type { Services } from "../../services.ts";
import {
  errorResponses,
  GUARD_ERRORS,
  jsonContent,
  SECURED,
  streamedResponse,
} from "../openapi.ts";
import { ArtifactList, RunIdParam } from "../schemas.ts";
import { cursorName, nameCursor, pageQuery } from "../paging.ts";
import { validationError } from "../../errors.ts";
import { isFinal } from "../../runs/mod.ts";

const common = { tags: ["artifacts"], security: SECURED };

/** The listing's query: a page of names (also list_artifacts' arguments over MCP). */
export const ArtifactsQuery = z.object(pageQuery(z.string().min(1).max(8192)));

const listArtifacts = createRoute({
  ...common,
  method: "get",
  path: "/api/runs/{run_id}/artifacts",
  operationId: "listRunArtifacts",
  summary: "The regular files the run wrote into PRISMQ_OUTPUT_DIR (sub-folders included, " +
    "sorted by name, paged by cursor)",
  request: {
    params: RunIdParam,
    query: ArtifactsQuery,
  },
  responses: {
    200: jsonContent(ArtifactList, "The run's files"),
    ...errorResponses(...GUARD_ERRORS, "RUN_NOT_FOUND", "VALIDATION_ERROR"),
  },
});

/**
 * `{name{.+}}` lets a name span folders (`sub/file.json`); the document shows it as `{name}`
 * (see the path clean-up in routes/docs.ts).
 */
const downloadArtifact = createRoute({
  ...common,
  method: "get",
  path: "/api/runs/{run_id}/artifacts/{name{.+}}",
  operationId: "downloadRunArtifact",
  summary: "Download one file (streamed from disk)",
  request: {
    params: RunIdParam.extend({
      name: z.string().openapi({
        param: { name: "name", in: "path" },
        description: "Relative to the run's folder, `/`-separated",
      }),
    }),
  },
  responses: {
    200: {
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
      description: "The file, as an attachment, with a Content-Type from its extension",
    },
    ...errorResponses(...GUARD_ERRORS, "RUN_NOT_FOUND", "ARTIFACT_NOT_FOUND"),
  },
});

/** One page of a run's artifacts, as the listing answers it (RUN_NOT_FOUND, VALIDATION_ERROR). */
export async function artifactPage(
  s: Services,
  run_id: string,
  query: { limit: number; cursor?: string },
): Promise<z.infer<typeof ArtifactList>> {
  const record = await s.runs.requireRecord(run_id);
  const after = query.cursor === undefined ? undefined : cursorName(query.cursor);
  if (after === null) {
    throw validationError([{ field: "cursor", message: "must be a next_cursor" }]);
  }
  const final = isFinal(record.status);
  const page = await s.artifacts.list(run_id, { limit: query.limit, after, final });
  const next_cursor = page.next === null ? null : nameCursor(page.next);
  return { run_id, artifacts: page.artifacts, next_cursor };
}

/** A run's artifacts: listing and download. */
export function artifactRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(listArtifacts, async (c) => {
    const { run_id } = c.req.valid("param");
    return c.json(await artifactPage(s, run_id, c.req.valid("query")), 200);
  });
  app.openapi(downloadArtifact, async (c) => {
    const { run_id, name } = c.req.valid("param");
    await s.runs.requireRecord(run_id);
    const artifact = await s.artifacts.open(run_id, name);
    const base = name.slice(name.lastIndexOf("/") + 1);
    // Hono answers HEAD with this handler and drops the body unread: close the file here.
    if (c.req.method === "HEAD") artifact.file.close();
    return streamedResponse(
      new Response(c.req.method === "HEAD" ? null : artifact.file.readable, {
        headers: {
          "content-type": getMimeType(base) ?? "application/octet-stream",
          "content-length": String(artifact.size),
          "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(base)}`,
        },
      }),
    );
  });
}
