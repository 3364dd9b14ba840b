/**
 * A small HTTP CONNECT proxy for tests. It listens on 127.0.0.1 and tunnels `CONNECT host:port`,
 * mapping the configured fake host names (`login.sim.test`, `graph.sim.test`, …) to an address, so
 * only a client that really goes through the proxy can reach them: a direct request cannot resolve
 * the name. Every CONNECT target is recorded.
 */
import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

export interface ProxyOptions {
  /** Host name (case-insensitive) → address to connect to instead (e.g. `'127.0.0.1'`). */
  resolve?: Record<string, string>
  /** Demand `Proxy-Authorization: Basic …` with these credentials (407 otherwise). */
  auth?: { username: string; password: string }
  /** Refuse CONNECT to names not in `resolve` (403), e.g. to prove nothing leaks elsewhere. */
  onlyResolved?: boolean
}

export interface ConnectRecord {
  /** `host:port` as the client asked for it. */
  target: string
  /** Status the proxy answered (200, 403, 407, 502). */
  status: number
  /** The `Proxy-Authorization` header, if any. */
  authorization?: string
}

export interface Proxy {
  /** `http://127.0.0.1:<port>` — what goes in HTTPS_PROXY. */
  readonly url: string
  readonly port: number
  /** Every CONNECT target (`host:port`) in order, answered or not. */
  connects(): string[]
  /** Every CONNECT with its outcome. */
  records(): ConnectRecord[]
  close(): Promise<void>
}

function splitTarget(target: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target)
  if (!m) return undefined
  const port = Number(m[2])
  if (port < 1 || port > 65535) return undefined
  return { host: m[1], port }
}

export async function startProxy(options: ProxyOptions = {}): Promise<Proxy> {
  const resolve = new Map(
    Object.entries(options.resolve ?? {}).map(([name, addr]) => [name.toLowerCase(), addr])
  )
  const expectedAuth = options.auth
    ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
    : undefined
  const records: ConnectRecord[] = []
  const sockets = new Set<Socket>()

  const server = createServer((req, res) => {
    // Only tunnelling is supported: the project speaks https only.
    res.writeHead(501, { 'content-type': 'text/plain', connection: 'close' })
    res.end(`this test proxy only supports CONNECT, not ${req.method}\n`)
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? ''
    const authorization = req.headers['proxy-authorization']
    const record: ConnectRecord = { target, status: 0, ...(authorization ? { authorization } : {}) }
    records.push(record)
    const refuse = (status: number, reason: string, extra = ''): void => {
      record.status = status
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Connection: close\r\n\r\n`)
    }
    client.on('error', () => client.destroy())
    if (expectedAuth && authorization !== expectedAuth) {
      refuse(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="sim"\r\n')
      return
    }
    const parsed = splitTarget(target)
    if (!parsed) {
      refuse(400, 'Bad Request')
      return
    }
    const mapped = resolve.get(parsed.host.toLowerCase())
    if (!mapped && options.onlyResolved) {
      refuse(403, 'Forbidden')
      return
    }
    const upstream = connect({ host: mapped ?? parsed.host, port: parsed.port })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.once('connect', () => {
      record.status = 200
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => {
      if (record.status === 0) refuse(502, 'Bad Gateway')
      else client.destroy()
    })
    client.on('close', () => upstream.destroy())
  })

  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => ok())
  })
  const port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects: () => records.map((r) => r.target),
    records: () => records.map((r) => ({ ...r })),
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy()
        server.close(() => ok())
      })
  }
}
