/**
 * Spans that started before their request's tenant was known, kept until it is.
 *
 * The HTTP server span of `@opentelemetry/instrumentation-http` starts before any middleware
 * runs, so it starts with no tenant; so do spans a middleware mounted before Tracium's starts.
 * A span that starts without a tenant joins the group of its parent when its parent is in one;
 * else it starts a group of its own when a request may still give it a tenant: it is a SERVER
 * span, or it starts inside a request scope whose tenant is not resolved yet. Other untagged
 * spans (background work with no tenant) cost one lookup and are not remembered: nothing will
 * resolve a tenant for them. A group is one local tree of untagged spans (the server span and
 * the untagged spans below it in this process). Grouping by tree rather than by
 * trace id keeps two requests of one trace apart (a service calling itself, a background job
 * that calls a route): one request's tenant never lands on another's spans.
 *
 * Memory: a group is reachable only from its spans (a WeakMap entry per span), so it is
 * collected with them and nothing here keeps a dropped span alive beyond its tree. A span that
 * never ends stays in its group's open set as long as the group lives; the set holds at most
 * {@link MAX_OPEN_PER_GROUP} spans, so a long-lived tree cannot grow it without bound.
 */

/**
 * At most this many open spans of one tree are remembered; later ones are not stamped late.
 * @example
 * ```ts
 * MAX_OPEN_PER_GROUP // 1024
 * ```
 */
export const MAX_OPEN_PER_GROUP = 1024

/**
 * The `code` of the process warning emitted once when a tree exceeds the bound.
 * @example
 * ```ts
 * process.on('warning', (w) => w.code === PENDING_LIMIT_WARNING_CODE && report(w))
 * ```
 */
export const PENDING_LIMIT_WARNING_CODE = 'TRACIUM_OTEL_PENDING_LIMIT'

/** What a group needs to know of its request: core's `RequestScope` (of any copy of core). */
export interface ScopeView {
  readonly tenantId: string | null
}

/** One local tree of spans that started without a tenant. */
export class PendingGroup {
  /** Spans of the tree not yet ended nor stamped. */
  readonly open = new Set<object>()
  /** The request the tree serves, once its scope opened; its tenant may be set later. */
  scope: ScopeView | null = null
}

let warnedLimit = false

/** Untagged spans by span object; one instance per processor. */
export class PendingSpans {
  readonly #groups = new WeakMap<object, PendingGroup>()
  // Spans in an open set: with none, no request has a span to stamp. A span that never ends
  // stays counted (its group may be collected with it): the count only errs high.
  #open = 0

  /** How many spans wait for a tenant, in all groups; `0`: core's events can be ignored. */
  get openSpans(): number {
    return this.#open
  }

  /** Remembers `span`, which started with no tenant, in its parent's group if there is one. */
  join(span: object, parent: object | undefined): boolean {
    const group = parent === undefined ? undefined : this.#groups.get(parent)
    if (group === undefined) return false
    this.#remember(span, group)
    return true
  }

  /** Remembers `span`, which started with no tenant, as the root of a new group. */
  begin(span: object): void {
    this.#remember(span, new PendingGroup())
  }

  #remember(span: object, group: PendingGroup): void {
    if (group.open.size < MAX_OPEN_PER_GROUP) {
      group.open.add(span)
      this.#open++
    } else {
      warnLimit()
    }
    this.#groups.set(span, group)
  }

  /** The group `span` belongs to (also after it ended), if it started untagged. */
  groupOf(span: object | undefined): PendingGroup | undefined {
    return span === undefined ? undefined : this.#groups.get(span)
  }

  /** Forgets `span` as open; returns its group when it was still waiting for a tenant. */
  close(span: object): PendingGroup | undefined {
    const group = this.#groups.get(span)
    if (!group?.open.delete(span)) return undefined
    this.#open--
    return group
  }

  /** The open spans of `group`, forgotten as open: they are being stamped now. */
  takeOpen(group: PendingGroup): object[] {
    const spans = [...group.open]
    group.open.clear()
    this.#open -= spans.length
    return spans
  }
}

function warnLimit(): void {
  if (warnedLimit) return
  warnedLimit = true
  process.emitWarning(
    `More than ${MAX_OPEN_PER_GROUP} spans of one trace are open and have no tenant yet; ` +
      'later ones will not be stamped when the tenant is resolved. Spans that are started and ' +
      'never ended usually cause this (this warning is shown once).',
    { type: 'TraciumWarning', code: PENDING_LIMIT_WARNING_CODE },
  )
}
