import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isoTime } from '../src/time.js'

describe('isoTime', () => {
  it('equals Date#toISOString for every representable millisecond, cache or not', () => {
    const maxMs = 8.64e15 // the Date range
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -maxMs, max: maxMs }), { minLength: 1 }), (times) => {
        // Neighbours of each time exercise the per-second cache: same second, next second.
        for (const ms of times.flatMap((t) =>
          [t, t + 1, t + 999, t + 1000].filter((x) => x <= maxMs),
        )) {
          expect(isoTime(ms)).toBe(new Date(ms).toISOString())
        }
      }),
    )
  })

  it('formats the milliseconds with three digits', () => {
    expect(isoTime(Date.UTC(2026, 10, 27, 3, 4, 5, 7))).toBe('2026-11-27T03:04:05.007Z')
    expect(isoTime(Date.UTC(2026, 10, 27, 3, 4, 5, 67))).toBe('2026-11-27T03:04:05.067Z')
    expect(isoTime(Date.UTC(1969, 11, 31, 23, 59, 59, 999))).toBe('1969-12-31T23:59:59.999Z')
  })
})
