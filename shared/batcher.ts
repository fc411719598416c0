// Application-level group commit: while `concurrency` batches are being
// written, new items wait and go together in the next one. At low load a
// batch is one item and nothing waits; under load, per-transaction costs
// (commit flush, executor setup) are shared by the whole batch.
export function createBatcher<I, O>(opts: {
  run: (items: I[]) => Promise<O[]>;
  maxBatch?: number;
  concurrency?: number;
  // With a batch already in flight, wait up to this long for a small batch
  // to fill before sending it (0: never wait). An idle batcher never waits.
  lingerMs?: number;
  // Every batch waits up to this long to fill, idle or not (0: off). For
  // writes nobody waits on, where fewer, larger batches are what counts.
  gatherMs?: number;
}) {
  const maxBatch = opts.maxBatch ?? 64;
  const concurrency = opts.concurrency ?? 2;
  const lingerMs = opts.lingerMs ?? 0;
  const gatherMs = opts.gatherMs ?? 0;
  let lingering: ReturnType<typeof setTimeout> | undefined;
  type Entry = {
    item: I;
    at: number;
    signal?: AbortSignal;
    resolve: (o: O) => void;
    reject: (e: unknown) => void;
  };
  let queue: Entry[] = [];
  let inFlight = 0;

  function pump() {
    if (queue.length >= maxBatch) {
      clearTimeout(lingering);
      lingering = undefined;
      send();
      return;
    }
    if (lingering || queue.length === 0) return;
    // Gathering counts from the oldest queued item: what already waited
    // behind a batch in flight does not wait again.
    const wait = gatherMs > 0
      ? gatherMs - (Date.now() - queue[0].at)
      : lingerMs > 0 && inFlight > 0 && queue.length < maxBatch / 4
      ? lingerMs
      : 0;
    if (wait > 0) {
      lingering = setTimeout(() => {
        lingering = undefined;
        send();
      }, wait);
      return;
    }
    send();
  }

  function send() {
    // Whoever gave up waiting (a deadline) leaves the queue before it is
    // written: nothing is stored for a request already answered.
    queue = queue.filter((e) => !e.signal?.aborted);
    while (inFlight < concurrency && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      opts.run(batch.map((e) => e.item))
        .then((out) => {
          if (out.length !== batch.length) {
            throw new Error(`batch returned ${out.length} results for ${batch.length} items`);
          }
          batch.forEach((e, i) => e.resolve(out[i]));
        })
        .catch((err) => batch.forEach((e) => e.reject(err)))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  }

  return {
    submit(item: I, signal?: AbortSignal): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const entry: Entry = { item, at: Date.now(), signal, resolve, reject };
        signal?.addEventListener("abort", () => {
          const i = queue.indexOf(entry);
          if (i >= 0) {
            queue.splice(i, 1);
            reject(signal.reason);
          }
        }, { once: true });
        queue.push(entry);
        pump();
      });
    },
    // Items waiting for a batch slot.
    queued: () => queue.length,
  };
}
