/**
 * Durations come from the monotonic clock (a wall-clock change must not make a span last -3 s);
 * start and end times are wall-clock ISO 8601 strings, as the wire format wants.
 */

/**
 * Milliseconds since `startMark` (a `performance.now()` value), rounded to microseconds.
 * @example
 * ```ts
 * const mark = performance.now()
 * // … later
 * elapsedMs(mark) // 12.345
 * ```
 */
export function elapsedMs(startMark: number): number {
  return Math.round((performance.now() - startMark) * 1000) / 1000
}

// Formatting a Date cost about 0.5 µs, twice per trace and per span: a request trace paid more
// for its timestamps than for everything else it records (bench/README.md). The part up to the
// second is formatted once per second and reused.
let cachedSecond = Number.NaN
let cachedPrefix = ''

/**
 * `new Date(epochMs).toISOString()` for an integer `epochMs` (a `Date.now()` value), faster:
 * the text up to the second is cached.
 * @example
 * ```ts
 * isoTime(Date.UTC(2026, 10, 27, 3, 4, 5, 67)) // '2026-11-27T03:04:05.067Z'
 * ```
 */
export function isoTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000)
  if (second !== cachedSecond) {
    // Everything before '.mmmZ': also right for the six-digit years toISOString writes.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -5)
    cachedSecond = second
  }
  const millis = epochMs - second * 1000
  return `${cachedPrefix}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
}

/**
 * A timeout as `setTimeout` takes it: a timeout already past (a deadline minus now) is 0, where
 * Node 22 and later would print TimeoutNegativeWarning, and one above 2^31 - 1 ms, which Node
 * would fire at once, is 2^31 - 1.
 * @example
 * ```ts
 * setTimeout(giveUp, timerDelay(deadline - Date.now()))
 * ```
 */
export function timerDelay(timeoutMs: number): number {
  return Math.min(Math.max(0, timeoutMs), 2 ** 31 - 1)
}
