/**
 * The callback form shared by traces and spans: run `fn`, end the handle when `fn` returns or
 * its promise resolves, mark it failed when `fn` throws or rejects (then rethrow: tracing never
 * swallows the app's errors).
 */

/** Anything with the end/fail pair of a trace or span. */
export interface Endable {
  end(): void
  fail(error: unknown): void
}

/**
 * Runs `fn` and ends `handle` with its outcome; returns what `fn` returns.
 * @example
 * ```ts
 * return runToEnd(span, () => span.run(() => fn(span)))
 * ```
 */
export function runToEnd<T>(handle: Endable, fn: () => T): T {
  let result: T
  try {
    result = fn()
  } catch (error) {
    handle.fail(error)
    throw error
  }
  if (isThenable(result)) {
    return result.then(
      (value) => {
        handle.end()
        return value
      },
      (error: unknown) => {
        handle.fail(error)
        throw error
      },
    ) as T
  }
  handle.end()
  return result
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
