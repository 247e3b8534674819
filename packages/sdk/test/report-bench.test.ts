/**
 * A smoke run of the report benchmark (bench/report.bench.mjs --smoke: 20,000 traces), so the
 * benchmark keeps working; the 1M and 10M runs are by hand (README: "Report benchmark").
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const bench = fileURLToPath(new URL('../bench/report.bench.mjs', import.meta.url))

it('the report benchmark runs: the report, the report without sidecars, DuckDB', {
  timeout: 180_000,
}, async () => {
  const child = spawn(process.execPath, [bench, '--smoke'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => {
    out += d
  })
  child.stderr.on('data', (d) => {
    out += d
  })
  const code = await new Promise((resolve) => child.once('exit', resolve))
  expect(out).toContain('store: 20,000 traces')
  expect(code).toBe(0)
  for (const row of [
    'report (first after growth)',
    'report',
    'report, no sidecars (reads every line)',
    'DuckDB read_json',
  ]) {
    expect(out).toMatch(
      new RegExp(`\\| 20,000 \\| ${row.replace(/[(),]/g, '\\$&')} \\| [\\d.]+ s \\| \\d+ MB \\|`),
    )
  }
  // The same per-tenant numbers as DuckDB: tenant-00's traces, failures and median.
  expect(out).toMatch(/tenant-00\s+1,000\s.*\s31\s+3\.1%\s+341\.0 ms/)
  expect(out).toMatch(/"tenantId":"tenant-00","traces":1000,"failed":31,"p50":341\.048/)
})
