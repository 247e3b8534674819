/**
 * The check every real-receiver test makes: each request's spans, matched to the request by
 * trace id (the route answers with it), carry that request's tenant, and only it.
 */
import { TENANT_ATTRIBUTE } from '../src/index.js'
import type { ChildApp } from './child-app.js'
import type { OtlpReceiver, ReceivedSpan } from './otlp-receiver.js'

/** The spans every request makes: the HTTP server span, `pre-tenant` and `work`. */
export const SPANS_PER_REQUEST = 3

export interface SentRequest {
  readonly tenant: string | null
  readonly traceId: string
}

/** Sends `count` requests at once (50 connections), tenant `tenant-<i % tenants>`, every
 * `noTenantEvery`-th without X-Tenant-ID; returns what was sent with each request's trace id. */
export async function sendInterleaved(
  app: ChildApp,
  count: number,
  tenants: number,
  noTenantEvery: number,
): Promise<SentRequest[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const tenant = i % noTenantEvery === noTenantEvery - 1 ? null : `tenant-${i % tenants}`
      const res = await app.get('/work', tenant === null ? {} : { 'x-tenant-id': tenant })
      if (res.status !== 200 || res.body.tenant !== tenant) {
        throw new Error(
          `request ${i} (${tenant}) answered ${res.status} ${JSON.stringify(res.body)}`,
        )
      }
      return { tenant, traceId: res.body.traceId as string }
    }),
  )
}

/** Waits until every sent trace has all its spans at the receiver; returns them by trace. */
export async function spansOf(
  receiver: OtlpReceiver,
  sent: readonly SentRequest[],
): Promise<Map<string, ReceivedSpan[]>> {
  const wanted = new Set(sent.map((r) => r.traceId))
  const expected = wanted.size * SPANS_PER_REQUEST
  const count = (spans: readonly ReceivedSpan[]) =>
    spans.filter((s) => wanted.has(s.traceId)).length
  await receiver.waitFor((spans) => count(spans) >= expected)
  const byTrace = new Map<string, ReceivedSpan[]>()
  for (const span of receiver.spans) {
    if (!wanted.has(span.traceId)) continue
    byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span])
  }
  return byTrace
}

/** Every span whose tenant attributes are not its request's, described for the failure. */
export function mismatches(
  sent: readonly SentRequest[],
  byTrace: Map<string, ReceivedSpan[]>,
  duplicateAttribute: string | null,
): string[] {
  const wrong: string[] = []
  for (const { tenant, traceId } of sent) {
    const spans = byTrace.get(traceId) ?? []
    const names = spans.map((s) => `${s.kind === 2 ? 'SERVER ' : ''}${s.name}`).sort()
    if (spans.length !== SPANS_PER_REQUEST || spans.filter((s) => s.kind === 2).length !== 1) {
      wrong.push(`trace ${traceId} (${tenant}): spans ${names.join(', ')}`)
    }
    for (const span of spans) {
      const stamped = span.attributes[TENANT_ATTRIBUTE]
      const duplicate =
        duplicateAttribute === null ? undefined : span.attributes[duplicateAttribute]
      const expected = tenant ?? undefined
      if (
        stamped !== expected ||
        duplicate !== (duplicateAttribute === null ? undefined : expected)
      ) {
        wrong.push(`${span.name} of ${tenant}'s request carries ${stamped} / ${duplicate}`)
      }
      if (duplicateAttribute === null && 'tenant.id' in span.attributes) {
        wrong.push(`${span.name} carries tenant.id though no duplicate was asked for`)
      }
    }
  }
  return wrong
}
