// Bytes the media function holds at once. Files are held whole between
// download and upload (their hash names them), so a few large documents at
// full concurrency would pass an Edge Function's memory; each file reserves
// its size before its body is read and gives it back once stored. First
// come, first served; a file larger than the whole budget goes alone.
export type Budget = { acquire(bytes: number): Promise<() => void> };

export function createBudget(limit: number): Budget {
  let used = 0;
  const waiting: { bytes: number; go: () => void }[] = [];
  function admit() {
    while (waiting.length > 0) {
      const next = waiting[0];
      if (used > 0 && used + next.bytes > limit) return;
      waiting.shift();
      used += next.bytes;
      next.go();
    }
  }
  return {
    async acquire(bytes) {
      await new Promise<void>((go) => {
        waiting.push({ bytes, go });
        admit();
      });
      let given = false;
      return () => {
        if (given) return;
        given = true;
        used -= bytes;
        admit();
      };
    },
  };
}

export const unlimited: Budget = { acquire: () => Promise.resolve(() => {}) };
