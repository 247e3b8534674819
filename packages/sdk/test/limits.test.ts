import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LIMITS, TRUNCATED_SUFFIX, TraciumError } from '../src/index.js'
import {
  errorText,
  normalizeTags,
  optionalText,
  truncate,
  validateAgentName,
  validateMetadata,
  validateTraceId,
} from '../src/limits.js'

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(TraciumError)
    expect((error as Error).message).toMatch(/^@tracium\/sdk: /)
    return (error as TraciumError).code
  }
  throw new Error('did not throw')
}

describe('agent name: up to 256 characters of [A-Za-z0-9 ._-]', () => {
  it('accepts the allowed characters up to 256', () => {
    expect(validateAgentName('Support bot_v2.1-eu')).toBe('Support bot_v2.1-eu')
    expect(validateAgentName('a'.repeat(256))).toHaveLength(256)
  })

  it.each([
    ['too long', 'a'.repeat(257)],
    ['empty', ''],
    ['a slash', 'support/bot'],
    ['a colon', 'org:bot'],
    ['non-ASCII', 'bötchen'],
    ['not a string', 42],
  ])('rejects %s', (_label, value) => {
    expect(codeOf(() => validateAgentName(value))).toBe('INVALID_ARGUMENT')
  })
})

describe('trace id: up to 256 characters of [A-Za-z0-9_-]', () => {
  it('accepts UUIDs and slugs up to 256', () => {
    expect(validateTraceId('6f1c2d3e-0000-4000-8000-000000000000')).toBeTruthy()
    expect(validateTraceId('x'.repeat(256))).toHaveLength(256)
  })

  it.each([['x'.repeat(257)], ['has space'], ['dot.ted'], ['']])('rejects %j', (value) => {
    expect(codeOf(() => validateTraceId(value))).toBe('INVALID_ARGUMENT')
  })
})

describe('tags: up to 100 of 128 characters, de-duplicated case-insensitively', () => {
  it('keeps the first spelling of tags that differ only in case, across lists', () => {
    expect(normalizeTags(['prod', 'Beta'], ['beta', 'EU', 'PROD', 'eu'])).toEqual([
      'prod',
      'Beta',
      'EU',
    ])
  })

  it('allows 100 distinct tags and counts after de-duplication', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `t${i}`)
    expect(
      normalizeTags(
        hundred,
        hundred.map((t) => t.toUpperCase()),
      ),
    ).toHaveLength(100)
    expect(codeOf(() => normalizeTags([...hundred, 'one-more']))).toBe('INVALID_ARGUMENT')
  })

  it('counts tag length in code points: 128 emoji pass, 129 characters do not', () => {
    expect(normalizeTags(['🙂'.repeat(128)])).toHaveLength(1)
    expect(codeOf(() => normalizeTags(['a'.repeat(129)]))).toBe('INVALID_ARGUMENT')
  })

  it('rejects empty tags and non-strings', () => {
    expect(codeOf(() => normalizeTags(['']))).toBe('INVALID_ARGUMENT')
    expect(codeOf(() => normalizeTags([1]))).toBe('INVALID_ARGUMENT')
    expect(codeOf(() => normalizeTags('prod' as unknown as unknown[]))).toBe('INVALID_ARGUMENT')
  })

  it('property: the result is the first occurrence of each case-folded tag, in order', () => {
    const tag = fc.stringMatching(/^[A-Za-z]{1,3}$/)
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 60 }), (tags) => {
        const result = normalizeTags(tags)
        const expected = tags.filter(
          (t, i) => tags.findIndex((u) => u.toLowerCase() === t.toLowerCase()) === i,
        )
        expect(result).toEqual(expected)
      }),
    )
  })
})

describe('metadata: a plain object of at most 1 MB as JSON', () => {
  it('accepts exactly 1 MB and rejects one byte more', () => {
    // {"k":"…"} is 8 bytes of framing.
    const fits = { k: 'x'.repeat(LIMITS.metadataBytes - 8) }
    expect(validateMetadata(fits)).toBe(fits)
    expect(codeOf(() => validateMetadata({ k: 'x'.repeat(LIMITS.metadataBytes - 7) }))).toBe(
      'INVALID_ARGUMENT',
    )
  })

  it('rejects arrays, null and what JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const value of [[], null, 'x', { n: 1n }, cyclic]) {
      expect(codeOf(() => validateMetadata(value))).toBe('INVALID_ARGUMENT')
    }
  })
})

describe('bounded text: model id 256, version 128, span name 512', () => {
  it.each([
    ['modelId', LIMITS.modelIdLength],
    ['version', LIMITS.versionLength],
    ['name', LIMITS.spanNameLength],
  ])('%s: %i characters pass, one more does not', (field, max) => {
    expect(optionalText('m'.repeat(max), field, max)).toHaveLength(max)
    expect(codeOf(() => optionalText('m'.repeat(max + 1), field, max))).toBe('INVALID_ARGUMENT')
    expect(optionalText(undefined, field, max)).toBeNull()
  })
})

describe('error text: "Name: message", cut at 10,000 characters with "... (truncated)"', () => {
  it('formats errors as Python does', () => {
    expect(errorText(new TypeError('bad input'))).toBe('TypeError: bad input')
    expect(errorText('plain text')).toBe('plain text')
    expect(errorText({ code: 42 })).toBe('{"code":42}')
  })

  it('keeps 10,000 characters whole and cuts 10,001', () => {
    expect(errorText('e'.repeat(10_000))).toBe('e'.repeat(10_000))
    expect(errorText('e'.repeat(10_001))).toBe(`${'e'.repeat(10_000)}${TRUNCATED_SUFFIX}`)
    expect(TRUNCATED_SUFFIX).toBe('... (truncated)')
  })

  it('property: cuts at code points, never inside a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat(30), (text, max) => {
        const cut = truncate(text, max)
        const points = [...text]
        if (points.length <= max) expect(cut).toBe(text)
        else expect(cut).toBe(`${points.slice(0, max).join('')}${TRUNCATED_SUFFIX}`)
        expect(cut.isWellFormed()).toBe(true)
      }),
    )
  })
})
