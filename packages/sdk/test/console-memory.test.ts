import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { spanRecord, traceRecord } from './fixtures.js'

describe('memoryExporter()', () => {
  it('keeps finished traces in order until cleared', () => {
    const memory = tracium.memoryExporter()
    memory.export(traceRecord({ id: 'a' }))
    memory.export(traceRecord({ id: 'b' }))
    expect(memory.traces.map((t) => t.id)).toEqual(['a', 'b'])
    memory.clear()
    expect(memory.traces).toEqual([])
  })
})

describe('consoleExporter()', () => {
  const trace = traceRecord({
    costUsd: 0.000123,
    inputTokens: 120,
    outputTokens: 45,
    spans: [
      spanRecord({
        id: 's1',
        name: 'plan',
        spanType: 'plan',
        inputTokens: null,
        outputTokens: null,
      }),
      spanRecord({ id: 's2', parentSpanId: 's1', latencyMs: 12.34 }),
      spanRecord({
        id: 's3',
        parentSpanId: 's2',
        spanType: 'tool',
        name: 'crm',
        status: 'failed',
        error: 'Error: 404',
        inputTokens: null,
        outputTokens: null,
      }),
    ],
  })

  it('prints a line per trace and an indented line per span, children under parents', () => {
    let out = ''
    tracium.consoleExporter({ write: (text) => (out += text) }).export(trace)
    expect(out).toBe(
      [
        'trace trace-1 agent=support-bot tenant=acme status=completed duration=1000ms tokens=120/45 cost=$0.000123',
        '  plan "plan" completed 800.4ms',
        '    llm "answer" completed 12.3ms tokens=120/45',
        '      tool "crm" failed 800.4ms error="Error: 404"',
        '',
      ].join('\n'),
    )
  })

  it('prints one JSON line per trace with format: json', () => {
    let out = ''
    tracium.consoleExporter({ format: 'json', write: (text) => (out += text) }).export(trace)
    expect(out).toBe(`${JSON.stringify(trace)}\n`)
  })

  it('writes to stdout by default', () => {
    const chunks: string[] = []
    const write = process.stdout.write
    process.stdout.write = ((chunk: string) => chunks.push(chunk) > 0) as typeof write
    try {
      tracium.consoleExporter().export(traceRecord({ tenantId: null }))
    } finally {
      process.stdout.write = write
    }
    expect(chunks.join('')).toBe(
      'trace trace-1 agent=support-bot tenant=- status=completed duration=1000ms\n',
    )
  })
})
