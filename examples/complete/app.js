// The Python docs' complete example on Express: the tenant is required from X-Tenant-ID, /chat
// answers through an OpenAI-compatible client, and every request is a trace tagged with its
// tenant (tracium.trace() in server.js) with one `llm` span carrying the token usage.
import { traciumTenant } from '@tracium/express'
import * as tracium from '@tracium/sdk'
import express from 'express'

/** The app; `openai` is an OpenAI client (the real one, pointed wherever you like). */
export function createApp({ openai, model = 'gpt-4' }) {
  const app = express()
  // extract_tenant() in the Python example: a missing X-Tenant-ID is a 401.
  app.use(traciumTenant({ required: true }))
  app.use(express.json())

  app.post('/chat', async (req, res) => {
    const message = req.body?.message
    if (typeof message !== 'string' || message.length === 0) {
      return res.status(400).json({ detail: 'Send {"message": "..."}' })
    }
    const tenant = tracium.getCurrentTenant()
    // This trace includes tenant_id automatically.
    const answer = await tracium.span(
      { spanType: 'llm', name: 'chat.completions', input: message, modelId: model },
      async (span) => {
        const completion = await openai.chat.completions.create({
          model,
          messages: [{ role: 'user', content: message }],
        })
        const content = completion.choices[0].message.content
        span.recordOutput(content)
        span.setTokenUsage({
          inputTokens: completion.usage.prompt_tokens,
          outputTokens: completion.usage.completion_tokens,
        })
        return content
      },
    )
    res.json({ tenant, response: answer })
  })
  return app
}
