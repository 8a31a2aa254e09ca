/**
 * Runs `run` every `intervalMs` in the background (the timer does not keep
 * the process alive), skipping a turn while the previous run is still going;
 * a run that fails goes to `onError`. Returns a stop.
 */
export function repeatWithoutOverlap(run: () => Promise<void>, intervalMs: number, onError: (error: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    run()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
