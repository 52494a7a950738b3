import type { ServiceView } from "../supervision/model.ts";
import { seg } from "./client.ts";
import type { CommandContext, CommandSpec } from "./spec.ts";

/** One line a replica: `  replica 2  running  run abc  restarts 1`. */
function serviceText(service: ServiceView): string {
  const lines = [
    `${service.module_id}  ${service.desired}  restarts ${service.restarts_total}`,
    ...service.replicas.map((r) => {
      const next = r.next_start_at === null ? "" : `  next start ${r.next_start_at}`;
      return `  replica ${r.replica}  ${r.status ?? "-"}  run ${r.run_id ?? "-"}  ` +
        `restarts ${r.restarts}${next}`;
    }),
  ];
  return lines.join("\n") + "\n";
}

function printService(ctx: CommandContext, service: ServiceView, json: boolean): void {
  ctx.term.out(json ? JSON.stringify(service, null, 2) + "\n" : serviceText(service));
}

/** `services` and `service start|stop|restart MODULE`. */
export const SERVICE_COMMANDS: readonly CommandSpec[] = [
  {
    name: "services",
    summary: "List the services: desired state and each replica's run",
    positionals: [],
    options: {},
    async run(ctx, { values }) {
      const { services } = await ctx.client.get<{ services: ServiceView[] }>("/api/services");
      if (values.json) ctx.term.out(JSON.stringify(services, null, 2) + "\n");
      else if (services.length === 0) ctx.term.out("no services\n");
      else ctx.term.out(services.map(serviceText).join(""));
      return 0;
    },
  },
  {
    name: "service",
    summary: "Start, stop or restart a service",
    description: "Answers once the replicas are started (start, restart) or stopped (stop).",
    positionals: [
      { name: "ACTION", help: "What to do", choices: ["start", "stop", "restart"] },
      { name: "MODULE", help: "The service module's id" },
    ],
    options: {},
    async run(ctx, { positionals: [action, moduleId], values }) {
      const path = `/api/services/${seg(moduleId)}/${action}`;
      printService(ctx, await ctx.client.json<ServiceView>("POST", path, {}), values.json === true);
      return 0;
    },
  },
];
