import { storage } from '../src/storage.js'

/**
 * Runs `fn` as a script's top level would: with no tenant store at all. It runs in an immediate
 * of its own, so what setTenant enters there (S4) cannot reach the calling test's context.
 */
export function outsideAnyScope<T>(fn: () => T): Promise<Awaited<T>> {
  return storage.exit(
    () =>
      new Promise<Awaited<T>>((resolve, reject) => {
        setImmediate(async () => {
          try {
            resolve(await fn())
          } catch (err) {
            reject(err)
          }
        })
      }),
  )
}

/** `Promise.withResolvers()`, which Node 20 lacks: a promise and the function that resolves it. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}
