/**
 * Enqueue side: a `Queue` or `FlowProducer` whose jobs carry the tenant current when they are
 * added. Structural types only: `bullmq` is never imported at runtime.
 */
import { TraciumOptionsError } from '@tracium/core'
import { stampJobData } from './carrier.js'

/**
 * The methods of a BullMQ `Queue` that {@link tenantQueue} needs (structural: no bullmq import).
 *
 * @example
 * ```ts
 * const queue: QueueLike = new Queue('exports', { connection })
 * ```
 */
export interface QueueLike {
  // biome-ignore lint/suspicious/noExplicitAny: structural match of BullMQ's generic signatures
  add(name: any, data: any, opts?: any): Promise<unknown>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  addBulk(jobs: any[]): Promise<unknown>
}

/**
 * The methods of a BullMQ `FlowProducer` that {@link tenantFlowProducer} stamps.
 *
 * @example
 * ```ts
 * const producer: FlowProducerLike = new FlowProducer({ connection })
 * ```
 */
export interface FlowProducerLike {
  // biome-ignore lint/suspicious/noExplicitAny: structural match of BullMQ's signatures
  add(flow: any, opts?: any): Promise<unknown>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  addBulk(flows: any[]): Promise<unknown>
}

interface FlowNode {
  data?: unknown
  children?: FlowNode[]
}

type Stamper = (method: PropertyKey, fn: (...args: unknown[]) => unknown) => unknown

/**
 * Returns `queue` with `add`, `addBulk` and `upsertJobScheduler` stamping each job's data with
 * the current tenant (see `tenantJob`); everything else is the queue itself. Data already made
 * by `tenantJob(data, tenantId)` keeps its own tenant.
 *
 * A job scheduler (`upsertJobScheduler`) stores the tenant of the call in its template, so every
 * job it creates runs for that tenant.
 *
 * @throws {TraciumOptionsError} when `queue` has no `add`/`addBulk` (not a BullMQ Queue).
 * @throws {TypeError} from `add` when a job's data is not a plain object (see `tenantJob`).
 * @example
 * ```ts
 * const exports = tenantQueue(new Queue('exports', { connection }))
 * app.post('/export', async (req, res) => {
 *   await exports.add('export', { format: 'csv' }) // carries the request's tenant
 *   res.status(202).end()
 * })
 * ```
 */
export function tenantQueue<Q extends QueueLike>(queue: Q): Q {
  check(queue, 'tenantQueue(queue)', 'a BullMQ Queue')
  return wrap(queue, (method, fn) => {
    switch (method) {
      case 'add':
        return (name: unknown, data: unknown, ...rest: unknown[]) =>
          fn(name, stampJobData(data), ...rest)
      case 'addBulk':
        return (jobs: { data?: unknown }[], ...rest: unknown[]) =>
          fn(
            jobs.map((job) => ({ ...job, data: stampJobData(job.data) })),
            ...rest,
          )
      case 'upsertJobScheduler':
        return (id: unknown, repeat: unknown, template?: { data?: unknown }, ...rest: unknown[]) =>
          fn(id, repeat, { ...template, data: stampJobData(template?.data) }, ...rest)
      default:
        return undefined
    }
  })
}

/**
 * Returns `producer` with `add` and `addBulk` stamping every node of each flow (the parent and
 * all its children, at any depth) with the current tenant. A node whose data was made by
 * `tenantJob(data, tenantId)` keeps its own tenant, so children may run for other tenants.
 *
 * @throws {TraciumOptionsError} when `producer` has no `add`/`addBulk`.
 * @example
 * ```ts
 * const flows = tenantFlowProducer(new FlowProducer({ connection }))
 * await flows.add({
 *   name: 'report', queueName: 'reports', data: {},
 *   children: [{ name: 'part', queueName: 'parts', data: tenantJob({ n: 1 }, 'acme') }],
 * })
 * ```
 */
export function tenantFlowProducer<F extends FlowProducerLike>(producer: F): F {
  check(producer, 'tenantFlowProducer(producer)', 'a BullMQ FlowProducer')
  return wrap(producer, (method, fn) => {
    switch (method) {
      case 'add':
        return (flow: FlowNode, ...rest: unknown[]) => fn(stampFlow(flow), ...rest)
      case 'addBulk':
        return (flows: FlowNode[], ...rest: unknown[]) => fn(flows.map(stampFlow), ...rest)
      default:
        return undefined
    }
  })
}

function stampFlow(node: FlowNode): FlowNode {
  const stamped: FlowNode = { ...node, data: stampJobData(node.data) }
  if (Array.isArray(node.children)) stamped.children = node.children.map(stampFlow)
  return stamped
}

/**
 * A proxy that replaces the methods `stamper` returns and binds every other method to the target
 * (BullMQ's classes keep state on `this`, which must be the real instance, not the proxy).
 * Replacements and bound methods are made once per property, not per call.
 */
function wrap<T extends object>(target: T, stamper: Stamper): T {
  const cache = new Map<PropertyKey, { original: unknown; wrapped: unknown }>()
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object)
      if (typeof value !== 'function') return value
      const hit = cache.get(property)
      if (hit?.original === value) return hit.wrapped
      const bound = (value as (...args: unknown[]) => unknown).bind(object)
      const wrapped = stamper(property, bound) ?? bound
      cache.set(property, { original: value, wrapped })
      return wrapped
    },
  })
}

function check(value: unknown, call: string, what: string): void {
  const target = value as Partial<QueueLike> | null
  if (
    typeof target !== 'object' ||
    target === null ||
    typeof target.add !== 'function' ||
    typeof target.addBulk !== 'function'
  ) {
    throw new TraciumOptionsError(`@tracium/bullmq: ${call} needs ${what} (with add and addBulk).`)
  }
}
