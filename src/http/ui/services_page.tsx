import { Layout } from "./layout.tsx";

/** `/services`: each service, its replicas' runs and restarts, Start/Stop/Restart (services_page.js). */
export function ServicesPage() {
  return (
    <Layout title="Services" script="services_page.js" section="services">
      <h1>Services</h1>
      <p class="subtitle">
        Modules that run until stopped: each replica's run, its status and its restarts.
      </p>
      <p id="page-message" class="notice" aria-live="polite">Loading services…</p>
      <div id="services"></div>
    </Layout>
  );
}
