/**
 * isoMillis and isoSeconds write times without Date.prototype.toISOString (src/iso-seconds.ts says why); for
 * every time a Date can hold they write what it writes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoMillis, isoSeconds } from "../../src/iso-seconds.js";

const FIRST = new Date("0000-01-01T00:00:00.000Z").getTime();
const LAST = new Date("9999-12-31T23:59:59.999Z").getTime();
const LIMIT = 8.64e15; // the range of a Date, either side of 1970

describe("iso-seconds", () => {
  it("isoMillis is toISOString, isoSeconds is it without the milliseconds, for years 0000 to 9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST, max: LAST }), (ms) => {
        const d = new Date(ms);
        expect(isoMillis(d)).toBe(d.toISOString());
        expect(isoSeconds(d)).toBe(d.toISOString().replace(/\.\d{3}Z$/, "Z"));
      }),
      { numRuns: 5000 },
    );
  });

  it("the same outside those years, where toISOString writes a signed six-digit year", () => {
    fc.assert(
      fc.property(fc.integer({ min: -LIMIT, max: LIMIT }), (ms) => {
        const d = new Date(ms);
        expect(isoMillis(d)).toBe(d.toISOString());
        expect(isoSeconds(d)).toBe(d.toISOString().replace(/\.\d{3}Z$/, "Z"));
      }),
      { numRuns: 2000 },
    );
  });

  it("the edges: epoch, year 0, year 9999, year 10000, a leap day", () => {
    for (const text of ["1970-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "+010000-01-01T00:00:00.000Z", "2028-02-29T12:34:56.007Z"]) {
      expect(isoMillis(new Date(text))).toBe(text);
    }
  });

  it("an invalid date throws as toISOString does", () => {
    expect(() => isoMillis(new Date(Number.NaN))).toThrow(RangeError);
  });
});
