const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * A run id derived from what a run is for (a pipeline run's step and attempt, a service
 * replica's restart): every server derives the same id for the same purpose, so submitting it
 * with `RunRequest.runId` starts that run once however often, and wherever, it is asked for.
 * Same form as a generated id (16 of [0-9a-z]); 82 bits of SHA-256.
 */
export async function pickedRunId(...purpose: string[]): Promise<string> {
  const data = new TextEncoder().encode(JSON.stringify(purpose));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  let id = "";
  for (let i = 0; i < 16; i++) id += ALPHABET[digest[i] % 36];
  return id;
}
