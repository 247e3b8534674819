import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

describe('S8: two copies of @tracium/core share one storage', () => {
  it('the ESM and the CJS build loaded into one process see the same tenant', async () => {
    // A real Node process loading the built package through its exports map, as a user's app would.
    const script = fileURLToPath(new URL('./fixtures/dual-package.mjs', import.meta.url))
    const { stdout } = await run(process.execPath, [script])
    expect(JSON.parse(stdout)).toEqual({
      distinctModules: true,
      fromCjsInEsm: 'set-by-cjs',
      fromEsmInCjs: 'set-by-esm',
      inScope: 'request-tenant',
      errorSeenByEsm: true,
    })
  })
})
