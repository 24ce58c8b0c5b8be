import { afterEach, describe, expect, it, vi } from "vitest";
import { withProgress } from "./progress";

describe("progress of a long copy", () => {
  afterEach(() => vi.useRealTimers());

  it("shows each answer while the work runs, and none that arrives after it ended", async () => {
    vi.useFakeTimers();
    const shown: number[] = [];
    let answer = 0;
    let late: (n: number) => void = () => {};
    const ask = () => {
      answer += 40;
      // The third ask is answered only after the work has ended.
      if (answer > 80) return new Promise<number>((resolve) => (late = resolve));
      return Promise.resolve(answer);
    };
    let finish: (value: string) => void = () => {};
    const running = withProgress((p) => shown.push(p), () => new Promise<string>((resolve) => (finish = resolve)), ask);
    await vi.advanceTimersByTimeAsync(750);
    finish("done");
    expect(await running).toBe("done");
    late(100);
    await vi.advanceTimersByTimeAsync(1000);
    expect(shown).toEqual([40, 80]);
  });

  it("keeps going when one ask fails, and passes the work's failure on", async () => {
    vi.useFakeTimers();
    const shown: number[] = [];
    let asks = 0;
    const ask = () => (++asks === 1 ? Promise.reject(new Error("locked")) : Promise.resolve(50));
    const running = withProgress((p) => shown.push(p), async () => {
      await new Promise((resolve) => setTimeout(resolve, 600));
      throw new Error("disk full");
    }, ask);
    const outcome = expect(running).rejects.toThrow("disk full");
    await vi.advanceTimersByTimeAsync(600);
    await outcome;
    expect(shown).toEqual([50]);
  });
});
