/** Real-socket HTTP helpers for the contract suite (127.0.0.1 only). */
import http from 'node:http'
import net from 'node:net'
import { expect } from 'vitest'

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

/** A reply read off a raw socket. */
export interface RawReply {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * Sends `headerLines` (each `Name: value`) as one HTTP/1.1 request over a fresh socket, exactly
 * as written, and parses the reply itself. `Connection: close` makes the server end the socket
 * after its answer, so the reply is complete at the socket's `end`.
 */
export async function rawRequest(
  port: number,
  headerLines: string[],
  path = '/tenant',
): Promise<RawReply> {
  const socket = net.connect(port, '127.0.0.1')
  try {
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      socket.on('end', () => resolve(Buffer.concat(chunks)))
      socket.on('error', reject)
      socket.write(
        `GET ${path} HTTP/1.1\r\n${headerLines.map((line) => `${line}\r\n`).join('')}` +
          'Connection: close\r\n\r\n',
      )
    })
    return parseReply(bytes.toString('latin1'))
  } finally {
    socket.destroy()
  }
}

function parseReply(text: string): RawReply {
  const split = text.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n')
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = text.slice(split + 4)
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body)
  return { status, headers, body: Buffer.from(body, 'latin1').toString('utf8') }
}

function dechunk(raw: string): string {
  let out = ''
  let at = 0
  for (;;) {
    const eol = raw.indexOf('\r\n', at)
    const size = Number.parseInt(raw.slice(at, eol), 16)
    if (!(size > 0)) return out
    out += raw.slice(eol + 2, eol + 2 + size)
    at = eol + 2 + size + 2
  }
}

/** Asserts that `reply` is a problem+json answer with this status and code (E2). */
export function expectProblem(reply: RawReply, status: number, code: string): void {
  expect([reply.status, reply.headers['content-type']]).toEqual([
    status,
    expect.stringMatching(/^application\/problem\+json/),
  ])
  expect(JSON.parse(reply.body)).toMatchObject({ status, code })
}
