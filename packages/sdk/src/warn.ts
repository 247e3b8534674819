/**
 * One process warning per code: the SDK is fail-open, so a misuse or a broken exporter must be
 * visible without flooding the log once per trace.
 */
const warned = new Set<string>()

/** Warning codes the SDK emits, for `process.on('warning')` filters. */
export type TraciumWarningCode =
  | 'TRACIUM_EXPORT_FAILED'
  | 'TRACIUM_SPAN_AFTER_TRACE_END'
  | 'TRACIUM_QUEUE_FULL'
  /** `openai` is installed but its calls cannot be captured (see `llm-instrumentation.ts`). */
  | 'TRACIUM_LLM_NOT_INSTRUMENTED'

/**
 * Emits `message` as a process warning the first time `code` is seen in this process.
 * @example
 * ```ts
 * warnOnce('TRACIUM_EXPORT_FAILED', 'Tracium could not export traces (…).')
 * ```
 */
export function warnOnce(code: TraciumWarningCode, message: string): void {
  if (warned.has(code)) return
  warned.add(code)
  process.emitWarning(message, { code })
}
