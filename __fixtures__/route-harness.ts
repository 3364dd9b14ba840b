/**
 * A minimal HTTPS host for simulator route modules, for their standalone tests: dispatches to the
 * routes, hands out faults like the simulator core (`after`, `times`), destroys the socket for a
 * `reset` fault, and runs the real toolkit in a child process that trusts the throwaway CA.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ResetConnection } from '../simulator/faults.js'
import { makeTls } from '../simulator/tls.js'
import type { Fault, FaultTarget, Route, RouteContext, SimResponse } from '../simulator/types.js'

export const fixturesDir = dirname(fileURLToPath(import.meta.url))

export interface Harness {
  origin: string
  port: number
  caPath: string
  caPem: string
  /** Faults, consumed as the simulator core does. */
  faults: Fault[]
  /** `METHOD path` of every request, and the target routes recorded for it. */
  requests: Array<{ method: string; path: string; status: number; target?: string }>
  close(): Promise<void>
}

export async function startHarness(routes: Route[], hostNames: string[] = []): Promise<Harness> {
  const tls = makeTls(hostNames)
  const faults: Fault[] = []
  const seen = new Map<Fault, number>()
  const requests: Harness['requests'] = []
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const entry: Harness['requests'][number] = {
          method: req.method ?? '',
          path: req.url ?? '',
          status: 0
        }
        requests.push(entry)
        const ctx: RouteContext = {
          origin: `https://${req.headers.host ?? `127.0.0.1:${port}`}`,
          nextFault(target: FaultTarget) {
            for (const fault of faults) {
              if (fault.target !== target) continue
              const n = (seen.get(fault) ?? 0) + 1
              seen.set(fault, n)
              const after = fault.after ?? 0
              if (n > after && n <= after + (fault.times ?? 1)) return fault
            }
            return undefined
          },
          record(target) {
            entry.target = target
          }
        }
        const simReq = {
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', ctx.origin),
          headers: req.headers,
          body: Buffer.concat(chunks)
        }
        let answer: SimResponse | undefined
        try {
          for (const route of routes) {
            answer = await route(simReq, ctx)
            if (answer) break
          }
        } catch (error) {
          // ResetConnection (a `reset` fault), or a bug: either way the client sees a network error
          entry.status = error instanceof ResetConnection ? -1 : -2
          req.socket.destroy()
          return
        }
        answer ??= { status: 404, body: { message: 'no route' } }
        entry.status = answer.status
        const headers: Record<string, string> = { ...answer.headers }
        let body: Buffer | string = ''
        if (Buffer.isBuffer(answer.body) || typeof answer.body === 'string') body = answer.body
        else if (answer.body !== undefined) {
          body = JSON.stringify(answer.body)
          headers['content-type'] ??= 'application/json'
        }
        res.writeHead(answer.status, headers)
        res.end(body)
      })()
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const port = (server.address() as AddressInfo).port
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    caPath: tls.caPath,
    caPem: tls.caPem,
    faults,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      })
  }
}

export interface ChildResult {
  code: number | null
  stdout: string
  stderr: string
  /** The parsed `RESULT:` line. */
  result: Record<string, unknown> | undefined
}

/** Runs a fixture script with node and a clean environment (plus `env`). */
export function runFixture(
  script: string,
  args: string[],
  env: Record<string, string>
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(fixturesDir, script), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT:'))
      const result = line
        ? (JSON.parse(line.slice('RESULT:'.length)) as Record<string, unknown>)
        : undefined
      resolve({ code, stdout, stderr, result })
    })
  })
}
