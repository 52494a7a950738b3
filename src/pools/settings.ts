import { z } from "zod";
import { poolNameSchema } from "./schema.ts";

/** `PRISMQ_HOST_LABELS`: comma-separated labels, each named as a pool is; empty for none. */
export const hostLabelsSetting = z.string().transform((s) =>
  s.split(",").map((l) => l.trim()).filter((l) => l.length > 0)
).pipe(z.array(poolNameSchema.describe("label")).transform((labels) => [...new Set(labels)]));
