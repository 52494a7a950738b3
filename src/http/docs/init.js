// Starts Swagger UI on the document this server generates from its route declarations. Served as
// a file of its own so the page's Content-Security-Policy can forbid inline scripts.
globalThis.addEventListener("DOMContentLoaded", () => {
  // deno-lint-ignore no-undef -- defined by swagger-ui-bundle.js, loaded before this file
  SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
  });
});
