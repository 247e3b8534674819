/**
 * The symbols of `using` / `await using`. Node 20 defines `Symbol.dispose` as
 * `Symbol.for('nodejs.dispose')`; falling back to the same registry key keeps handles disposable
 * where a runtime lacks them, exactly as Node's own polyfill does.
 */
export const disposeSymbol: typeof Symbol.dispose =
  Symbol.dispose ?? (Symbol.for('nodejs.dispose') as typeof Symbol.dispose)

export const asyncDisposeSymbol: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('nodejs.asyncDispose') as typeof Symbol.asyncDispose)
