/**
 * `tracium trace <id>`: one stored trace, its spans as a tree (children under their parent, in
 * start order) with status, duration, model, tokens, cost and error. The spans come from the
 * store as they were written, so every field is read defensively: a span field of the wrong
 * type prints as `-`, never crashes the view.
 */
import type { SpanRecord, TraceRecord } from '../records.js'
import { NONE_LABEL, printable } from './format.js'
import { statusClass } from './rollup.js'
import { count, duration, usd } from './units.js'
import { toReportTrace } from './valid-trace.js'

/**
 * The last stored trace with this id (ids are unique; a retried write would repeat it), or
 * `null`. `segments` come newest first (`readSegmentsNewestFirst`): the newest segment that
 * holds the id answers, and older ones are not read.
 * @example
 * ```ts
 * const trace = await findTrace(readSegmentsNewestFirst({ dir }), 'c7e606e2-…')
 * ```
 */
export async function findTrace(
  segments: AsyncIterable<AsyncIterable<TraceRecord>>,
  id: string,
): Promise<TraceRecord | null> {
  for await (const traces of segments) {
    let found: TraceRecord | null = null
    for await (const trace of traces) if (trace.id === id) found = trace
    if (found !== null) return found
  }
  return null
}

/**
 * One trace as text: a header with its totals, then its span tree.
 * @example
 * ```ts
 * process.stdout.write(formatTrace(trace))
 * ```
 */
export function formatTrace(trace: TraceRecord): string {
  const facts = toReportTrace(trace)
  const lines = [
    `trace ${printable(trace.id)}`,
    `  agent    ${printable(trace.agentName)}`,
    `  tenant   ${trace.tenantId === null ? NONE_LABEL : printable(trace.tenantId)}`,
    `  status   ${trace.status}${facts ? ` (${statusClass(facts)}${facts.httpStatus === null ? '' : `, HTTP ${facts.httpStatus}`})` : ''}`,
    `  started  ${trace.startedAt}`,
    `  duration ${duration(trace.durationMs)}`,
    `  tokens   ${count(trace.inputTokens)} in / ${count(trace.outputTokens)} out / ${count(trace.cachedInputTokens)} cached`,
    `  cost     ${usd(trace.costUsd)}`,
  ]
  if (typeof trace.modelId === 'string') lines.push(`  model    ${printable(trace.modelId)}`)
  if (typeof trace.error === 'string') lines.push(`  error    ${printable(trace.error)}`)
  // A span that is not an object (a corrupted line) cannot be shown; it is counted.
  const spans = trace.spans.filter((s): s is SpanRecord => typeof s === 'object' && s !== null)
  lines.push('', spans.length === 0 ? 'No spans.' : `Spans (${spans.length}):`)
  if (spans.length < trace.spans.length) {
    lines.push(`  (${trace.spans.length - spans.length} unreadable span(s) left out)`)
  }
  for (const { span, depth } of spanTree(spans)) {
    lines.push(`${'  '.repeat(depth + 1)}${spanLine(span)}`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * The spans in tree order: each span followed by its children, siblings by start time. A span
 * whose parent is not in the trace is a root. Iterative, so a deep (or cyclic, in a corrupted
 * line) tree cannot overflow the stack; each span is visited once.
 * @example
 * ```ts
 * for (const { span, depth } of spanTree(trace.spans)) console.log(depth, span.name)
 * ```
 */
export function spanTree(spans: readonly SpanRecord[]): Array<{ span: SpanRecord; depth: number }> {
  const ids = new Set(spans.map((s) => s.id))
  const children = new Map<string | null, SpanRecord[]>()
  for (const span of spans) {
    const parent =
      typeof span.parentSpanId === 'string' &&
      ids.has(span.parentSpanId) &&
      span.parentSpanId !== span.id
        ? span.parentSpanId
        : null
    const list = children.get(parent) ?? []
    list.push(span)
    children.set(parent, list)
  }
  for (const list of children.values()) list.sort((a, b) => compare(a.startedAt, b.startedAt))
  const out: Array<{ span: SpanRecord; depth: number }> = []
  const seen = new Set<SpanRecord>()
  const stack = [...(children.get(null) ?? [])].reverse().map((span) => ({ span, depth: 0 }))
  while (stack.length > 0) {
    const next = stack.pop()!
    if (seen.has(next.span)) continue
    seen.add(next.span)
    out.push(next)
    const kids = children.get(next.span.id) ?? []
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: next.depth + 1 })
  }
  // Spans only reachable through a cycle (a corrupted line) are still shown, as roots.
  for (const span of spans) if (!seen.has(span)) out.push({ span, depth: 0 })
  return out
}

function spanLine(span: SpanRecord): string {
  const parts = [
    `${text(span.spanType)} "${text(span.name)}"`,
    text(span.status),
    typeof span.latencyMs === 'number' ? duration(span.latencyMs) : '-',
  ]
  if (typeof span.modelId === 'string') parts.push(`model=${printable(span.modelId)}`)
  if (typeof span.inputTokens === 'number' || typeof span.outputTokens === 'number') {
    parts.push(`tokens=${num(span.inputTokens)}/${num(span.outputTokens)}`)
  }
  if (typeof span.costUsd === 'number') parts.push(`cost=${usd(span.costUsd)}`)
  if (typeof span.error === 'string') parts.push(`error="${printable(span.error)}"`)
  return parts.join('  ')
}

function text(value: unknown): string {
  return typeof value === 'string' ? printable(value) : '-'
}

function num(value: unknown): string {
  return typeof value === 'number' ? count(value) : '-'
}

function compare(a: unknown, b: unknown): number {
  const x = String(a)
  const y = String(b)
  return x < y ? -1 : x > y ? 1 : 0
}
