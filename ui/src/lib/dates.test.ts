import { describe, expect, it } from "vitest";
import { parseDate, parseDateTime, showDate } from "./dates";

describe("Buddhist-era dates", () => {
  it("reads BE and CE years typed day/month/year", () => {
    expect(parseDate("03/12/2569")).toBe("2026-12-03");
    expect(parseDate("3/12/2026")).toBe("2026-12-03");
  });

  it("refuses what is not a date", () => {
    expect(parseDate("31/02/2569")).toBeNull();
    expect(parseDate("2569-12-03")).toBeNull();
    expect(parseDateTime("03/12/2569 25:99")).toBeNull();
  });

  it("shows the BE year", () => {
    expect(showDate("2026-12-03", "en")).toBe("3 Dec 2569");
    expect(showDate("2026-12-03", "th")).toContain("2569");
  });
});
