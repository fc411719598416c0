// One drain at a time per function instance: a drain asked for while one
// runs joins it, and onPoke tells the running one to look again before it
// stops (work may have come in since it last claimed).
export function singleDrain<S>(drainOnce: () => Promise<S>, onPoke: () => void) {
  let running: Promise<S> | null = null;
  return {
    get running() {
      return running !== null;
    },
    drain(): Promise<S> {
      if (running) {
        onPoke();
        return running;
      }
      running = drainOnce().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
