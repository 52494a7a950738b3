import { keys } from "../kv/keys.ts";
import {
  type ReplicaState,
  replicaStateSchema,
  type ServiceState,
  serviceStateSchema,
} from "./model.ts";

/** The KV keys of services (desired state and replicas), listed with every other in keys.ts. */
const serviceKeys = {
  state: keys.service,
  replica: keys.serviceReplica,
};

/** A stored value with the versionstamp a checked write needs. */
export interface Versioned<T> {
  value: T | null;
  versionstamp: string | null;
}

/** Reads and checked writes of services' stored state. */
export class ServiceStore {
  constructor(readonly kv: Deno.Kv) {}

  /** The desired state, or null when none is stored. */
  async state(moduleId: string): Promise<Versioned<ServiceState>> {
    const entry = await this.kv.get(serviceKeys.state(moduleId));
    const parsed = serviceStateSchema.safeParse(entry.value);
    return { value: parsed.success ? parsed.data : null, versionstamp: entry.versionstamp };
  }

  /** A replica's state, or null when none is stored. */
  async replica(moduleId: string, replica: number): Promise<Versioned<ReplicaState>> {
    const entry = await this.kv.get(serviceKeys.replica(moduleId, replica));
    const parsed = replicaStateSchema.safeParse(entry.value);
    return { value: parsed.success ? parsed.data : null, versionstamp: entry.versionstamp };
  }

  /** Stores a desired state if the stored one is still the one read; false when it changed. */
  async putState(state: ServiceState, read: string | null): Promise<boolean> {
    const key = serviceKeys.state(state.module_id);
    const result = await this.kv.atomic().check({ key, versionstamp: read }).set(key, state)
      .commit();
    return result.ok;
  }

  /**
   * Stores a replica's state if neither it nor the service's desired state changed since they
   * were read; false when one did.
   */
  async putReplica(
    moduleId: string,
    replica: ReplicaState,
    read: { replica: string | null; state: string | null },
  ): Promise<boolean> {
    const key = serviceKeys.replica(moduleId, replica.replica);
    const result = await this.kv.atomic()
      .check({ key, versionstamp: read.replica })
      .check({ key: serviceKeys.state(moduleId), versionstamp: read.state })
      .set(key, replica)
      .commit();
    return result.ok;
  }
}
