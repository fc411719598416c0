import { describe, expect, it } from "vitest";
import { createBatcher } from "../../shared/batcher.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("createBatcher", () => {
  it("sends a lone item at once, and groups what arrives while batches are in flight", async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>({
      concurrency: 1,
      run: async (items) => {
        batches.push(items);
        await tick();
        return items.map((x) => x * 10);
      },
    });
    const first = b.submit(1);
    const rest = [2, 3, 4].map((x) => b.submit(x));
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("caps batches at maxBatch and runs up to `concurrency` at once", async () => {
    let running = 0;
    let peak = 0;
    const sizes: number[] = [];
    const b = createBatcher<number, number>({
      maxBatch: 3,
      concurrency: 2,
      run: async (items) => {
        sizes.push(items.length);
        peak = Math.max(peak, ++running);
        await tick();
        running--;
        return items;
      },
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(i)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.reduce((a, x) => a + x, 0)).toBe(10);
    expect(peak).toBe(2);
  });

  it("rejects every item of a failed batch and keeps working afterwards", async () => {
    let fail = true;
    const b = createBatcher<number, number>({
      concurrency: 1,
      run: async (items) => {
        await tick();
        if (fail) throw new Error("connection lost");
        return items;
      },
    });
    const results = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    fail = false;
    expect(await b.submit(3)).toBe(3);
  });

  it("with gatherMs, waits for a batch to fill even when idle, and sends a full one at once", async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>({
      maxBatch: 4,
      concurrency: 1,
      gatherMs: 30,
      run: (items) => {
        batches.push(items);
        return Promise.resolve(items);
      },
    });
    const started = Date.now();
    const first = [1, 2].map((x) => b.submit(x));
    await tick();
    const second = [3].map((x) => b.submit(x));
    await Promise.all([...first, ...second]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);

    const t0 = Date.now();
    await Promise.all([5, 6, 7, 8].map((x) => b.submit(x)));
    expect(batches[1]).toEqual([5, 6, 7, 8]);
    expect(Date.now() - t0).toBeLessThan(25);
  });

  it("refuses a batch that answers with the wrong number of results", async () => {
    const b = createBatcher<number, number>({ run: () => Promise.resolve([]) });
    await expect(b.submit(1)).rejects.toThrow(/0 results for 1 items/);
  });
});
