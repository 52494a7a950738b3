import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "../errors.ts";

/** A JSON Schema / OpenAPI object as plain JSON. */
export type JsonObject = { [key: string]: unknown };

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** One error a route can answer, with when it happens. */
export interface ErrorCase {
  code: ErrorCode;
  when: string;
}

/** The success answer of a route. */
export interface SuccessSpec {
  status: number;
  description: string;
  /** JSON body (output side of the schema); omit for non-JSON bodies. */
  schema?: z.ZodType;
  /** Content type of a non-JSON body; its schema is a plain string. */
  contentType?: string;
  headers?: Record<string, { description: string; schema: JsonObject }>;
  /** Extension keys (`x-...`) copied onto the response object. */
  extensions?: Record<string, unknown>;
}

/** One route of the service, as documented. Paths use OpenAPI's `{param}` form. */
export interface RouteSpec {
  method: HttpMethod;
  path: string;
  tag: string;
  operationId: string;
  summary: string;
  description?: string;
  /** True when no bearer token is ever needed. */
  public?: boolean;
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** Descriptions of path, query and header parameters, by name. */
  paramDocs?: Record<string, string>;
  /** JSON request body (input side of the schema): adds 400 BAD_REQUEST and 413 PAYLOAD_TOO_LARGE. */
  body?: { schema: z.ZodType; description: string; example?: unknown };
  success: SuccessSpec;
  /** Errors specific to this route; 401, 413/400 (bodies) and 500 are added by the builder. */
  errors: ErrorCase[];
}

/** Everything the builder needs; it knows nothing of the service's routes itself. */
export interface DocumentInput {
  title: string;
  version: string;
  description: string;
  tags: { name: string; description: string }[];
  routes: RouteSpec[];
  /** The error envelope every error answer uses. */
  errorSchema: z.ZodType;
  /** Named response schemas (output side), shared as components. */
  outputSchemas: Record<string, z.ZodType>;
  /** Named request body schemas (input side), shared as components. */
  inputSchemas: Record<string, z.ZodType>;
  /** One sentence per error code, for the document-wide error table. */
  errorCodes: Record<ErrorCode, string>;
  /** Security scheme description (bearer token). */
  authDescription: string;
  /** Called on every generated schema object (e.g. to add `format`). */
  decorate?: (schema: JsonObject) => void;
}

const TARGET = "openapi-3.0";
const ERROR_REF = "#/components/schemas/Error";
const componentRef = (name: string) => `#/components/schemas/${name}`;

/** Drops what OpenAPI 3.0 has no use for: `$id`, and the safe-integer bounds zod adds to ints. */
function tidy(node: unknown, decorate?: (schema: JsonObject) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) tidy(item, decorate);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const obj = node as JsonObject;
  delete obj.$id;
  if (obj.minimum === Number.MIN_SAFE_INTEGER) delete obj.minimum;
  if (obj.maximum === Number.MAX_SAFE_INTEGER) delete obj.maximum;
  for (const value of Object.values(obj)) tidy(value, decorate);
  decorate?.(obj);
}

/** Converts named schemas to components; references between them become `$ref`s. */
function components(
  named: Record<string, z.ZodType>,
  io: "input" | "output",
): { schemas: Record<string, JsonObject>; names: Map<z.ZodType, string> } {
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  for (const [name, schema] of Object.entries(named)) {
    registry.add(schema, { id: name });
    names.set(schema, name);
  }
  const out = z.toJSONSchema(registry, { target: TARGET, io, uri: componentRef });
  return { schemas: out.schemas as Record<string, JsonObject>, names };
}

/** Builds the OpenAPI 3.0 document from route descriptors and zod schemas. */
export function buildDocument(input: DocumentInput): JsonObject {
  const output = components({ Error: input.errorSchema, ...input.outputSchemas }, "output");
  const inputs = components(input.inputSchemas, "input");
  for (const name of Object.keys(inputs.schemas)) {
    if (name in output.schemas) throw new Error(`schema name "${name}" is used twice`);
  }
  const schemaOf = (schema: z.ZodType, io: "input" | "output"): JsonObject => {
    const name = (io === "input" ? inputs : output).names.get(schema);
    if (name !== undefined) return { $ref: componentRef(name) };
    return z.toJSONSchema(schema, { target: TARGET, io }) as JsonObject;
  };

  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of input.routes) {
    (paths[route.path] ??= {})[route.method] = operation(route, schemaOf);
  }

  const doc: JsonObject = {
    openapi: "3.0.3",
    info: { title: input.title, version: input.version, description: input.description },
    servers: [{ url: "/" }],
    tags: input.tags,
    paths,
    components: {
      schemas: { ...output.schemas, ...inputs.schemas },
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: input.authDescription },
      },
    },
    "x-error-codes": Object.entries(input.errorCodes).map(([code, description]) => ({
      code,
      status: ERROR_STATUS[code as ErrorCode],
      description,
    })),
  };
  tidy(doc, input.decorate);
  return doc;
}

function operation(
  route: RouteSpec,
  schemaOf: (schema: z.ZodType, io: "input" | "output") => JsonObject,
): JsonObject {
  const op: JsonObject = {
    tags: [route.tag],
    operationId: route.operationId,
    summary: route.summary,
  };
  if (route.description) op.description = route.description;
  op.security = route.public ? [] : [{ bearerAuth: [] }];

  const parameters = [
    ...parametersOf(route, route.pathParams, "path"),
    ...parametersOf(route, route.query, "query"),
    ...parametersOf(route, route.headers, "header"),
  ];
  if (parameters.length > 0) op.parameters = parameters;

  if (route.body) {
    const media: JsonObject = { schema: schemaOf(route.body.schema, "input") };
    if (route.body.example !== undefined) media.example = route.body.example;
    op.requestBody = {
      required: true,
      description: route.body.description,
      content: { "application/json": media },
    };
  }

  const responses: Record<string, JsonObject> = {};
  const success = route.success;
  const successResponse: JsonObject = { description: success.description };
  if (success.schema) {
    successResponse.content = {
      "application/json": { schema: schemaOf(success.schema, "output") },
    };
  } else if (success.contentType) {
    successResponse.content = { [success.contentType]: { schema: { type: "string" } } };
  }
  if (success.headers) successResponse.headers = success.headers;
  Object.assign(successResponse, success.extensions ?? {});
  responses[String(success.status)] = successResponse;

  for (const [status, cases] of groupByStatus(allErrors(route))) {
    responses[String(status)] = errorResponse(cases);
  }
  op.responses = responses;
  return op;
}

/** The route's own errors plus those every route of its kind can answer. */
function allErrors(route: RouteSpec): ErrorCase[] {
  const cases: ErrorCase[] = [];
  if (route.body) {
    cases.push({ code: "BAD_REQUEST", when: "The request body is not valid JSON." });
    cases.push({ code: "PAYLOAD_TOO_LARGE", when: "The request body is larger than 1 MiB." });
  }
  if (!route.public) {
    cases.push({
      code: "UNAUTHORIZED",
      when: "An API token is configured (PRISMQ_API_TOKEN) and the request has no valid " +
        "`Authorization: Bearer <token>` header.",
    });
  }
  cases.push(...route.errors);
  cases.push({ code: "INTERNAL_ERROR", when: "An unexpected failure on the server." });
  return cases;
}

function groupByStatus(cases: ErrorCase[]): [number, ErrorCase[]][] {
  const byStatus = new Map<number, ErrorCase[]>();
  for (const c of cases) {
    const status = ERROR_STATUS[c.code];
    const list = byStatus.get(status) ?? [];
    list.push(c);
    byStatus.set(status, list);
  }
  return [...byStatus.entries()].sort(([a], [b]) => a - b);
}

/** One error status: the envelope with the codes it can carry, and an example per code. */
function errorResponse(cases: ErrorCase[]): JsonObject {
  const codes = [...new Set(cases.map((c) => c.code))];
  const examples: Record<string, JsonObject> = {};
  for (const c of cases) {
    const value: JsonObject = { detail: c.when, error_code: c.code };
    if (c.code === "VALIDATION_ERROR") {
      value.errors = [{ field: "field", message: "what is wrong with it" }];
    }
    let key: string = c.code;
    for (let i = 2; key in examples; i++) key = `${c.code}_${i}`;
    examples[key] = { summary: c.when, value };
  }
  return {
    description: cases.map((c) => `- \`${c.code}\`: ${c.when}`).join("\n"),
    content: {
      "application/json": {
        schema: {
          allOf: [
            { $ref: ERROR_REF },
            { type: "object", properties: { error_code: { type: "string", enum: codes } } },
          ],
        },
        examples,
      },
    },
    "x-error-codes": cases.map((c) => ({ code: c.code, when: c.when })),
  };
}

function parametersOf(
  route: RouteSpec,
  schema: z.ZodObject | undefined,
  where: "path" | "query" | "header",
): JsonObject[] {
  if (!schema) return [];
  // The output side says what a value means (an integer 1..100, default 50); the input side says
  // which ones a caller may leave out.
  const out = z.toJSONSchema(schema, { target: TARGET, io: "output" }) as JsonObject;
  const inp = z.toJSONSchema(schema, { target: TARGET, io: "input" }) as JsonObject;
  const props = (out.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((inp.required ?? []) as string[]);
  return Object.entries(props).map(([name, propSchema]) => {
    const { description, ...rest } = propSchema;
    const param: JsonObject = {
      name,
      in: where,
      required: where === "path" || required.has(name),
      schema: rest,
    };
    const text = route.paramDocs?.[name] ?? description;
    if (text !== undefined) param.description = text;
    return param;
  });
}
