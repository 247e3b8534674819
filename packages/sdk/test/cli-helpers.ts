import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// The built CLI, as `npx tracium` runs it (turbo builds before tests).
const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url))

export function tracium(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...process.env, TRACIUM_DIR: '', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
      },
    )
  })
}
