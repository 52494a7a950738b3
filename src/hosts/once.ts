/**
 * Claims a piece of work for one server among those sharing the store: true for exactly one
 * caller per key (one atomic write checked on the key's absence). The claim is kept `keepMs`, so
 * the key must name the item or the period (a fire's due time, an hour), never just the job.
 */
export async function claimOnce(
  kv: Deno.Kv,
  key: Deno.KvKey,
  claim: { hostId: string; keepMs: number },
): Promise<boolean> {
  const result = await kv.atomic()
    .check({ key, versionstamp: null })
    .set(key, { host_id: claim.hostId, at: Date.now() }, { expireIn: claim.keepMs })
    .commit();
  return result.ok;
}
