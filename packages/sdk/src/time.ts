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
