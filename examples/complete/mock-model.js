// A small OpenAI-compatible chat model on 127.0.0.1, so the example runs with nothing leaving
// the machine. It answers POST /v1/chat/completions (non-streaming) with a canned reply and
// token counts, which is all the official `openai` client needs.
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
    const { model = 'mock', messages = [] } = JSON.parse(Buffer.concat(chunks).toString() || '{}')
    const question = messages.at(-1)?.content ?? ''
    const answer = `Hello! You asked: ${question}`
    const promptTokens = countTokens(messages.map((m) => m.content).join(' '))
    const completionTokens = countTokens(answer)
    served++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        id: `chatcmpl-mock-${served}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [
          { index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      }),
    )
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    baseURL: `http://127.0.0.1:${server.address().port}/v1`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

// Roughly one token per word or punctuation mark: enough for per-tenant usage and cost.
function countTokens(text) {
  return text.match(/\w+|[^\s\w]/g)?.length ?? 0
}
