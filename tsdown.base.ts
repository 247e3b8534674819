/**
 * The build every published package shares: ESM + CJS for Node 20.19+, with `.d.ts`/`.d.cts`.
 */

import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { UserConfig } from 'tsdown'

// TypeScript 7 is native and has no JS API, so declarations are emitted by its tsc binary
// (TOOLCHAIN.md: tsdown's plain `dts: true` crashes with it).
const tsc = join(
  dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
  'bin/tsc',
)

/** tsdown options for a package whose entry points are `entry` (default `src/index.ts`). */
export function packageBuild(entry: string[] = ['src/index.ts']): UserConfig {
  return {
    entry,
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node20.19',
    // Only src: the package tsconfig also covers tests and this file, which must not be emitted.
    tsconfig: 'tsconfig.build.json',
    dts: { tsgo: { path: tsc } },
    clean: true,
  }
}
