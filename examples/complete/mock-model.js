// A small OpenAI-compatible chat model on 127.0.0.1, so the example runs with nothing leaving
// the machine. It answers POST /v1/chat/completions with a canned reply and token counts, which
// is all the official `openai` client needs: as one JSON body, or with `stream: true` as
// server-sent events (one chunk per word, then a usage chunk when
// `stream_options.include_usage` is set, as OpenAI does). @tracium/sdk's tests use it too.
import http from 'node:http'

/** Starts the mock model; resolves with its base URL (…/v1) and a close function. */
export async function startMockModel() {
  let served = 0
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ error: { message: 'not found' } }))
    }
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}')
    const { model = 'mock', messages = [] } = body
    const question = messages.at(-1)?.content ?? ''
    const answer = `Hello! You asked: ${question}`
    const promptTokens = countTokens(messages.map((m) => m.content).join(' '))
    const completionTokens = countTokens(answer)
    served++
    const id = `chatcmpl-mock-${served}`
    const created = Math.floor(Date.now() / 1000)
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    }
    if (body.stream === true) {
      return streamAnswer(res, {
        id,
        created,
        model,
        answer,
        usage,
        withUsage: body.stream_options?.include_usage === true,
      })
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          { index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' },
        ],
        usage,
      }),
    )
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    baseURL: `http://127.0.0.1:${server.address().port}/v1`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

// The answer as `chat.completion.chunk` events: the role, one chunk per word, the finish
// reason, the usage (when asked for), then `[DONE]`.
function streamAnswer(res, { id, created, model, answer, usage, withUsage }) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const send = (choices, extra = {}) =>
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`,
    )
  send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])
  for (const word of answer.split(/(?<= )/))
    send([{ index: 0, delta: { content: word }, finish_reason: null }])
  send([{ index: 0, delta: {}, finish_reason: 'stop' }])
  if (withUsage) send([], { usage })
  res.end('data: [DONE]\n\n')
}

// Roughly one token per word or punctuation mark: enough for per-tenant usage and cost.
function countTokens(text) {
  return text.match(/\w+|[^\s\w]/g)?.length ?? 0
}
