// `pnpm start` (from the repository root): the complete example with a local mock model.
// `pnpm start -- --demo`: sends traffic for several tenants, prints the per-tenant report and the
// `tracium ui` command that opens the dashboard on the demo's store, exits.
// `pnpm start -- --demo --ui`: the same, then serves that dashboard until Ctrl-C.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as tracium from '@tracium/sdk'
import OpenAI from 'openai'
import { createApp } from './app.js'
import { startMockModel } from './mock-model.js'

const demo = process.argv.includes('--demo')
const ui = process.argv.includes('--ui')
// The demo keeps its traces apart from yours, so its report shows exactly its own traffic.
const dir = demo ? mkdtempSync(join(tmpdir(), 'tracium-demo-')) : process.env.TRACIUM_DIR

const model = await startMockModel()
tracium.trace({
  ...(dir && { dir }),
  defaultVersion: '1.0.0',
  // USD per million tokens, so the report can show cost per tenant.
  prices: { 'gpt-4': { input: 30, output: 60 } },
})
const openai = new OpenAI({ apiKey: 'mock-key', baseURL: model.baseURL })
const port = demo ? 0 : Number(process.env.PORT ?? 3000)
const server = createApp({ openai }).listen(port, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const base = `http://127.0.0.1:${server.address().port}`

if (!demo) {
  console.log(`Complete example on ${base} (mock model at ${model.baseURL})`)
  console.log(
    `  curl -X POST ${base}/chat -H 'x-tenant-id: acme' -H 'content-type: application/json' -d '{"message":"Hello"}'`,
  )
  console.log('  pnpm tracium report    # per-tenant traces, tokens and cost, from ./.tracium')
} else {
  await sendDemoTraffic(base)
  await tracium.shutdown() // flushes the store
  server.close()
  await model.close()
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('@tracium/sdk/package.json')),
    'dist/cli.mjs',
  )
  process.stdout.write(
    execFileSync(process.execPath, [cli, 'report', '--dir', dir], { encoding: 'utf8' }),
  )
  if (ui) {
    // The dashboard on the demo's store, until Ctrl-C (which reaches the child too); then the
    // store has served its purpose.
    const at = process.argv.indexOf('--port') // e.g. --port 0 for a free one
    const port = at === -1 ? [] : ['--port', process.argv[at + 1]]
    const dashboard = spawn(process.execPath, [cli, 'ui', '--dir', dir, ...port], {
      stdio: 'inherit',
    })
    // A signal sent to this process alone (not the terminal's group) stops the dashboard too.
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dashboard.kill(signal))
    await new Promise((resolve) => dashboard.once('exit', resolve))
    rmSync(dir, { recursive: true, force: true })
  } else {
    // The store stays (in the system's temporary directory) so the dashboard can show it.
    console.log(
      `\nSee it in the dashboard (tenants, over time, one tenant, one trace):\n\n` +
        `  npx -y pnpm@12.4.2 tracium ui --dir ${dir}\n\n` +
        'or run the demo with --ui to open it right away: npx -y pnpm@12.4.2 start -- --demo --ui',
    )
  }
}

async function sendDemoTraffic(url) {
  const traffic = { acme: 12, globex: 7, initech: 3 }
  const chat = (tenant, message) =>
    fetch(`${url}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(tenant && { 'x-tenant-id': tenant }) },
      body: JSON.stringify({ message }),
    })
  const requests = Object.entries(traffic).flatMap(([tenant, count]) =>
    Array.from({ length: count }, (_, i) =>
      chat(tenant, `Question ${i + 1} from ${tenant}: how are my agents doing?`),
    ),
  )
  const replies = await Promise.all(requests)
  const missing = await chat(undefined, 'no tenant') // 401, as the Python example
  console.log(
    `Sent ${replies.length} chats for ${Object.keys(traffic).length} tenants (${replies.filter((r) => r.ok).length} answered) and one without a tenant (${missing.status}).\n`,
  )
}
