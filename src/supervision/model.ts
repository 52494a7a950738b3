import { z } from "zod";
import { paramValueSchema } from "../modules/schema.ts";
import { RUN_STATUSES } from "../runs/mod.ts";

/** A service's desired state as stored: what `start`, `stop` and `restart` set. */
export const serviceStateSchema = z.object({
  module_id: z.string(),
  desired: z.enum(["running", "stopped"]),
  /** The checked values every replica's run is given. */
  parameters: z.record(z.string(), paramValueSchema),
  /** Grows by one at each start: the replicas' run ids are picked within it. */
  generation: z.number().int(),
  started_at: z.number(),
});
export type ServiceState = z.infer<typeof serviceStateSchema>;

/** How a replica's run ended, as SERVICE's `last_exit` shows it. */
export const lastExitSchema = z.object({
  run_id: z.string(),
  exit_code: z.number().nullable(),
  completed_at: z.number(),
});

/** One replica of one generation as stored: its current (or last) run and its planned restart. */
export const replicaStateSchema = z.object({
  generation: z.number().int(),
  replica: z.number().int(),
  /** The run of this replica now, or its last one; null before the first. */
  run_id: z.string().nullable(),
  /** Runs of this replica in this generation, the planned one included (its picked id's number). */
  run_number: z.number().int(),
  /** Restarts since the service was started. */
  restarts: z.number().int(),
  /** The delay of the last restart (ms); doubles while restarts follow each other. */
  delay_ms: z.number().nullable(),
  /** When the planned run starts; null when none is planned. */
  next_start_at: z.number().nullable(),
  /** True when the restart policy let the replica end (no run is planned any more). */
  ended: z.boolean(),
  last_exit: lastExitSchema.nullable(),
});
export type ReplicaState = z.infer<typeof replicaStateSchema>;

/** One replica in SERVICE. */
export const replicaViewSchema = z.object({
  replica: z.number().int(),
  run_id: z.string().nullable(),
  status: z.enum(RUN_STATUSES).nullable(),
  started_at: z.string().nullable(),
  restarts: z.number().int(),
  /** While waiting out a restart delay: when the next run starts. */
  next_start_at: z.string().nullable(),
});

/** The contract's SERVICE. */
export const serviceViewSchema = z.object({
  module_id: z.string(),
  desired: z.enum(["running", "stopped"]),
  parameters: z.record(z.string(), paramValueSchema),
  replicas: z.array(replicaViewSchema),
  restarts_total: z.number().int(),
  last_exit: z.object({
    run_id: z.string(),
    exit_code: z.number().nullable(),
    completed_at: z.string(),
  }).nullable(),
});
export type ServiceView = z.infer<typeof serviceViewSchema>;

/** A replica's state before its first run of `generation`: its start is due now. */
export function freshReplica(generation: number, replica: number, now: number): ReplicaState {
  return {
    generation,
    replica,
    run_id: null,
    run_number: 1,
    restarts: 0,
    delay_ms: null,
    next_start_at: now,
    ended: false,
    last_exit: null,
  };
}
