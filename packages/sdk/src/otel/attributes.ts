/**
 * The attribute names Tracium's backend and the OpenTelemetry GenAI conventions read
 * (semconv 1.45, incubating). Copied as strings, as the semconv package advises for its
 * incubating names, rather than importing its incubating entry point at run time.
 */
export const ATTR = {
  operation: 'gen_ai.operation.name',
  agentName: 'gen_ai.agent.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  toolName: 'gen_ai.tool.name',
  spanType: 'tracium.span.type',
  traceId: 'tracium.trace.id',
  tags: 'tracium.tags',
  version: 'tracium.version',
  input: 'tracium.input',
  output: 'tracium.output',
  metadata: 'tracium.metadata',
  summary: 'tracium.summary',
  httpMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpStatus: 'http.response.status_code',
  urlPath: 'url.path',
} as const

/** `gen_ai.operation.name` by Tracium span type; other types carry only `tracium.span.type`. */
export const OPERATION_BY_SPAN_TYPE: Readonly<Record<string, string>> = {
  llm: 'chat',
  tool: 'execute_tool',
}

/** The root span of a Tracium trace is an agent invocation. */
export const ROOT_OPERATION = 'invoke_agent'
