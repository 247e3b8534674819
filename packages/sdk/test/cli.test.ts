import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import pkg from '../package.json' with { type: 'json' }
import { tracium } from './cli-helpers.js'
import { traceRecord } from './fixtures.js'
import { tempDir } from './helpers.js'

async function fixtureStore(): Promise<string> {
  const dir = await tempDir()
  const traces = [
    traceRecord({
      id: 'a1',
      durationMs: 120,
      inputTokens: 1200,
      outputTokens: 300,
      costUsd: 0.0048,
    }),
    traceRecord({
      id: 'a2',
      durationMs: 480,
      status: 'failed',
      error: 'HTTP 503',
      startedAt: '2025-03-01T11:00:00.000Z',
      inputTokens: 800,
      costUsd: 0.002,
    }),
    traceRecord({
      id: 'a3',
      durationMs: 250,
      agentName: 'router',
      startedAt: '2025-03-02T09:00:00.000Z',
      inputTokens: 100,
      outputTokens: 20,
      costUsd: 0.00045,
    }),
    traceRecord({
      id: 'g1',
      tenantId: 'globex',
      durationMs: 90,
      inputTokens: 50,
      outputTokens: 10,
    }),
    traceRecord({
      id: 'g2',
      tenantId: 'globex',
      durationMs: 1500,
      startedAt: '2025-03-02T10:00:00.000Z',
    }),
    traceRecord({ id: 'n1', tenantId: null, durationMs: 15 }),
  ]
  // The last line is torn, as a crash leaves it.
  const lines = `${traces.map((t) => JSON.stringify(t)).join('\n')}\n{"id":"tor`
  await writeFile(join(dir, 'traces.jsonl'), lines)
  return dir
}

describe('tracium report', () => {
  it('prints traces, failures, error rate, p50/p95, tokens and cost per tenant', async () => {
    const dir = await fixtureStore()
    const { code, stdout, stderr } = await tracium(['report', '--dir', dir])
    expect([code, stderr]).toEqual([0, ''])
    expect(stdout).toBe(
      [
        `Tracium report: ${dir}`,
        '',
        'tenant  traces  ok  4xx  401  403  failed  error rate       p50       p95  input tokens  output tokens  cost (USD)',
        'acme         3   2    0    0    0       1       33.3%  248.4 ms  477.5 ms         2,100            320   $0.007250',
        'globex       2   2    0    0    0       0        0.0%   90.5 ms    1.51 s            50             10           -',
        '(none)       1   1    0    0    0       0        0.0%   14.9 ms   14.9 ms             0              0           -',
        '(all)        6   5    0    0    0       1       16.7%  119.4 ms    1.51 s         2,150            330   $0.007250',
        '',
        'agent        traces  ok  4xx  401  403  failed  error rate       p50       p95  input tokens  output tokens  cost (USD)',
        'support-bot       5   4    0    0    0       1       20.0%  119.4 ms    1.51 s         2,050            310   $0.006800',
        'router            1   1    0    0    0       0        0.0%  248.4 ms  248.4 ms           100             20   $0.000450',
        '(all)             6   5    0    0    0       1       16.7%  119.4 ms    1.51 s         2,150            330   $0.007250',
        '',
        'model   traces  ok  4xx  401  403  failed  error rate       p50     p95  input tokens  output tokens  cost (USD)',
        '(none)       6   5    0    0    0       1       16.7%  119.4 ms  1.51 s         2,150            330   $0.007250',
        '(all)        6   5    0    0    0       1       16.7%  119.4 ms  1.51 s         2,150            330   $0.007250',
        '',
        'day         traces  ok  4xx  401  403  failed  error rate       p50       p95  input tokens  output tokens  cost (USD)',
        '2025-03-01       4   3    0    0    0       1       25.0%   90.5 ms  477.5 ms         2,050            310   $0.006800',
        '2025-03-02       2   2    0    0    0       0        0.0%  248.4 ms    1.51 s           100             20   $0.000450',
        '(all)            6   5    0    0    0       1       16.7%  119.4 ms    1.51 s         2,150            330   $0.007250',
        '',
        'ok: completed with 1xx-3xx (or not a request); 4xx: client errors, 401 and 403 of them',
        'apart; failed: 5xx, aborted, or a failed trace. error rate: failed / traces. Times: UTC.',
        '',
        '1 unreadable line(s) skipped (torn by a crash, or a field of the wrong type).',
        '',
      ].join('\n'),
    )
  })

  it('filters by --tenant and --since and names the filters', async () => {
    const dir = await fixtureStore()
    const { stdout } = await tracium(['report', '--tenant', 'globex', '--since', '2025-03-02'], {
      TRACIUM_DIR: dir,
    })
    expect(stdout.split('\n').slice(1, 6)).toEqual([
      'Filters: tenant=globex since=2025-03-02T00:00:00.000Z',
      '',
      'tenant  traces  ok  4xx  401  403  failed  error rate     p50     p95  input tokens  output tokens  cost (USD)',
      'globex       1   1    0    0    0       0        0.0%  1.51 s  1.51 s             0              0           -',
      '(all)        1   1    0    0    0       0        0.0%  1.51 s  1.51 s             0              0           -',
    ])
  })

  it('--json prints the report as JSON; --agent filters by agent', async () => {
    const dir = await fixtureStore()
    const { stdout } = await tracium(['report', '--dir', dir, '--agent', 'router', '--json'])
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({
      file: dir,
      filters: { agent: 'router' },
      skippedLines: 1,
      tenants: [
        {
          tenantId: 'acme',
          traces: 1,
          failed: 0,
          errorRate: 0,
          inputTokens: 100,
          outputTokens: 20,
          cachedInputTokens: 0,
          costUsd: 0.00045,
        },
      ],
      total: { traces: 1 },
    })
    expect(Math.abs(report.tenants[0].p50Ms - 250) / 250).toBeLessThan(0.01)
  })

  it('says so when nothing matches', async () => {
    const dir = await fixtureStore()
    const { code, stdout } = await tracium(['report', '--dir', dir, '--tenant', 'initech'])
    expect(code).toBe(0)
    expect(stdout).toContain('\nNo traces match.\n')
  })
})

describe('tracium traces', () => {
  it('lists a tenant’s most recent traces, newest first', async () => {
    const dir = await fixtureStore()
    const { code, stdout } = await tracium(['traces', '--tenant', 'acme', '--dir', dir])
    expect(code).toBe(0)
    expect(stdout).toBe(
      [
        'started                   tenant  agent        status  http  duration  spans  tokens in/out  trace id',
        '2025-03-02T09:00:00.000Z  acme    router       ok      -     250.0 ms      0         100/20  a3',
        '2025-03-01T11:00:00.000Z  acme    support-bot  failed  -     480.0 ms      0          800/0  a2',
        '2025-03-01T10:00:00.000Z  acme    support-bot  ok      -     120.0 ms      0      1,200/300  a1',
        '',
      ].join('\n'),
    )
  })

  it('--limit and --json', async () => {
    const dir = await fixtureStore()
    const { stdout } = await tracium(['traces', '--dir', dir, '--limit', '2', '--json'])
    expect(JSON.parse(stdout).map((row: { id: string }) => row.id)).toEqual(['n1', 'g2'])
  })
})

describe('command line errors and help', () => {
  it('exits 1 with a clear message when there is no store', async () => {
    const dir = await tempDir()
    const { code, stdout, stderr } = await tracium(['report', '--dir', dir])
    expect([code, stdout]).toEqual([1, ''])
    expect(stderr).toBe(
      `tracium: no local store at ${dir}. Traces are written there by ` +
        '@tracium/sdk when it has no API key; pass --dir or set TRACIUM_DIR to read another one.\n',
    )
  })

  it.each([
    [['report', '--bogus'], /Unknown option '--bogus'/],
    [['report', '--since', 'yesterday'], /--since takes 30m, 12h, 7d, 2w, now or a date/],
    [['traces', '--limit', '0'], /--limit takes a positive integer/],
    [['export'], /unknown command "export"/],
    [['report', 'extra'], /unexpected argument "extra"/],
  ])('exits 2 with the usage for %j', async (args, message) => {
    const { code, stderr } = await tracium(args)
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr).toContain('Usage: tracium <command> [options]')
  })

  it('--help prints the usage; no command prints it and exits 2', async () => {
    const help = await tracium(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('within 1% of the exact values')
    expect((await tracium([])).code).toBe(2)
  })

  it('--version prints the package version', async () => {
    expect((await tracium(['-v'])).stdout).toBe(`${pkg.version}\n`)
  })
})
