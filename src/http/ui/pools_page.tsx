import { Layout } from "./layout.tsx";

/** `/pools`: each resource pool, its slots in use and the runs holding them (pools_page.js). */
export function PoolsPage() {
  return (
    <Layout title="Pools" script="pools_page.js" section="pools">
      <h1>Pools</h1>
      <p class="subtitle">
        Slots of the module file's resource pools, counted across every server sharing the store.
      </p>
      <p id="page-message" class="notice" aria-live="polite">Loading pools…</p>
      <div class="table-wrap" role="region" aria-labelledby="pools-caption" tabindex={0}>
        <table id="pools-table">
          <caption id="pools-caption">Resource pools</caption>
          <thead>
            <tr>
              <th scope="col">Pool</th>
              <th scope="col">Slots in use</th>
              <th scope="col">Queued runs</th>
              <th scope="col">Held by</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
    </Layout>
  );
}
