import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { onCleanup, storedTraces, tempDir, withEnv } from './helpers.js'

describe('init(options) then trace()', () => {
  it('keeps the options: store folder, agent name, prices and tags are not reset', async () => {
    const dir = await tempDir()
    withEnv({ TRACIUM_API_KEY: undefined, TRACIUM_DIR: undefined })
    tracium.init({
      dir,
      defaultAgentName: 'support-bot',
      defaultTags: ['prod'],
      defaultModelId: 'gpt-4o-mini',
      prices: { 'gpt-4o-mini': { input: 1, output: 2 } },
    })
    tracium.trace()
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({}, (trace) => {
      trace.span({ spanType: 'llm' }).setTokenUsage({ inputTokens: 1e6, outputTokens: 1e6 }).end()
    })
    expect(await tracium.flush()).toBe(true)
    const [stored] = await storedTraces(dir)
    expect(stored).toMatchObject({
      agentName: 'support-bot',
      tags: ['prod'],
      modelId: 'gpt-4o-mini',
      costUsd: 3,
    })
  })

  it('trace(options) adds to the options of init instead of replacing them', async () => {
    const memory = tracium.memoryExporter()
    tracium.init({ exporter: memory, defaultAgentName: 'kept' })
    tracium.trace({ defaultTags: ['api'] })
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({}, () => {})
    expect(memory.traces[0]).toMatchObject({ agentName: 'kept', tags: ['api'] })
  })
})

describe('unknown option names', () => {
  it.each([
    ['api_key', 'apiKey'],
    ['default_agent_name', 'defaultAgentName'],
    ['base_url', 'baseUrl'],
  ])('init({ %s }) is rejected with a hint for %s', (python, camel) => {
    expect(() => tracium.init({ [python]: 'x' } as tracium.TraciumOptions)).toThrow(
      new RegExp(`^@tracium/sdk: unknown option "${python}".*did you mean "${camel}"`),
    )
  })

  it('a plain typo is rejected and lists the known options', () => {
    expect(() => tracium.init({ exporters: [] } as tracium.TraciumOptions)).toThrow(
      /unknown option "exporters".*apiKey/s,
    )
    expect(() => tracium.trace({ onlyWhenUsd: true } as tracium.TraceOptions)).toThrow(
      tracium.TraciumError,
    )
  })
})
