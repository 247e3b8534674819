/**
 * `tracium ui`: starts the dashboard, prints its URL and serves until Ctrl-C.
 */
import { DEFAULT_UI_PORT, startUiServer, type UiServerOptions } from './server.js'

/**
 * Runs the dashboard until SIGINT/SIGTERM; resolves with the exit code.
 * @example
 * ```ts
 * process.exitCode = await runUi({ dir: '.tracium' })
 * ```
 */
export async function runUi(
  options: {
    [K in keyof UiServerOptions]?: UiServerOptions[K] | undefined
  },
): Promise<number> {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as UiServerOptions
  let ui: Awaited<ReturnType<typeof startUiServer>>
  try {
    ui = await startUiServer(defined)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
    throw new Error(
      `port ${defined.port ?? DEFAULT_UI_PORT} is in use (another tracium ui?): pass --port <n>, or --port 0 for a free one`,
    )
  }
  process.stdout.write(`Tracium dashboard on ${ui.url}  (read-only; Ctrl-C stops it)\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await ui.close()
  return 0
}
