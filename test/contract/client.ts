/** Real-socket HTTP helpers for the contract suite (127.0.0.1 only). */
import http from 'node:http'

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: test replies are JSON of many shapes
  json: () => any
  reused: boolean
}

export interface RequestInit {
  method?: string
  path: string
  headers?: http.OutgoingHttpHeaders
  body?: string | Buffer
  agent?: http.Agent
}

/** One request over node:http; resolves with the whole reply. */
export function send(port: number, init: RequestInit): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        path: init.path,
        headers: init.headers,
        agent: init.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
            reused: req.reusedSocket,
          })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(init.body)
  })
}

/** The bodies `/body` accepts, each with its content type. */
export function bodies(note: string): Array<{ kind: string; type: string; body: string }> {
  const boundary = '----tracium-contract-boundary'
  return [
    { kind: 'json', type: 'application/json', body: JSON.stringify({ note }) },
    {
      kind: 'urlencoded',
      type: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ note }).toString(),
    },
    {
      kind: 'multipart',
      type: `multipart/form-data; boundary=${boundary}`,
      body: [
        `--${boundary}`,
        'Content-Disposition: form-data; name="note"',
        '',
        note,
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    },
  ]
}

/** Reads a server-sent-events stream to its end; returns the `data:` values. */
export function readEvents(port: number, tenant: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/sse', headers: { 'x-tenant-id': tenant }, agent: false },
      (res) => {
        let buffer = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffer += chunk
        })
        res.on('end', () => {
          resolve(
            buffer
              .split('\n\n')
              .filter((block) => block.startsWith('data: '))
              .map((block) => block.slice('data: '.length)),
          )
        })
      },
    )
    req.on('error', reject)
  })
}

/** Runs `count` tasks, at most `concurrency` at a time. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0
  const worker = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}
