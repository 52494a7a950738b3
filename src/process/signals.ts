type Os = typeof Deno.build.os;

/** Signals that ask the server to shut down gracefully on this platform. */
export function shutdownSignals(os: Os): Deno.Signal[] {
  return os === "windows" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM"];
}

/** Calls `onSignal` once for the first shutdown signal; returns a function that removes the listeners. */
export function onShutdownSignal(
  onSignal: (signal: Deno.Signal) => void,
  os: Os = Deno.build.os,
): () => void {
  const signals = shutdownSignals(os);
  let fired = false;
  const listeners = signals.map((signal) => {
    const listener = () => {
      if (fired) return;
      fired = true;
      onSignal(signal);
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  return () => {
    for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
  };
}
