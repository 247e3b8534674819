// The Python docs' complete example on Express: the tenant is required from X-Tenant-ID, /chat
// answers through an OpenAI-compatible client, and every request is a trace tagged with its
// tenant (tracium.trace() in server.js). The openai call is captured by the SDK itself (its
// OpenAI instrumentation): an `llm` span with the model and token usage, no hand-made span.
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
    // This trace includes tenant_id automatically, and so does the call's llm span.
    const completion = await openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: message }],
    })
    const answer = completion.choices[0].message.content
    res.json({ tenant, response: answer })
  })
  return app
}
