/**
 * The benchmark's simulator, in its own process (forked by bench.ts with an IPC channel) so that
 * its CPU never counts against the action and it gets the second core. It serves a generated
 * tenant and answers a few commands: `faults` (queue faults), `reset` (forget requests and
 * faults), `stats` (request counts and the simulator's own CPU time).
 */
import type { QuotaOptions } from '../simulator/quota.js'
import { startSimulator } from '../simulator/server.js'
import { generateTenant } from '../simulator/tenant.js'
import type { Fault, RecordedRequest } from '../simulator/types.js'

export interface SimInit {
  users: number
  seed: number
  /** The tenant's clock (epoch ms), shared with the parent so it can recompute users. */
  now: number
  latencyMs: number
  /** Graph's quota (simulator/quota.ts); absent: none. */
  quota?: QuotaOptions
}

export interface SimReady {
  origin: string
  caPath: string
  tenantId: string
  clientId: string
  clientSecret: string
}

export type SimCommand =
  | { id: number; cmd: 'faults'; faults: Fault[] }
  | { id: number; cmd: 'reset' }
  | { id: number; cmd: 'stats' }

/** What the simulator saw since the last reset. */
export interface SimStats {
  /** HTTP requests received (a $batch counts once, its sub-requests not). */
  http: number
  /** HTTP requests by target (token, users, batch, signIns, discovery, …). */
  byTarget: Record<string, number>
  /** $batch sub-requests. */
  subRequests: number
  /** Responses by status, HTTP requests and sub-requests alike (429 counts throttled answers). */
  byStatus: Record<string, number>
  /** Simulator CPU (user + system) since the last reset, ms. */
  cpuMs: number
  /** HTTP requests in arrival order: when handling began (after the latency), target, status. */
  timeline: { at: number; target: string; status: number }[]
}

function stats(requests: RecordedRequest[], cpuMs: number): SimStats {
  const out: SimStats = { http: 0, byTarget: {}, subRequests: 0, byStatus: {}, cpuMs, timeline: [] }
  for (const r of requests) {
    out.byStatus[r.status] = (out.byStatus[r.status] ?? 0) + 1
    if (r.inBatch) {
      out.subRequests++
      continue
    }
    out.http++
    out.timeline.push({ at: r.at, target: r.target, status: r.status })
    out.byTarget[r.target] = (out.byTarget[r.target] ?? 0) + 1
  }
  return out
}

async function main(init: SimInit): Promise<void> {
  const sim = await startSimulator({
    tenant: generateTenant({ count: init.users, seed: init.seed, now: init.now }),
    latencyMs: init.latencyMs,
    quota: init.quota
  })
  let cpuStart = process.cpuUsage()
  const cpuMs = () => {
    const used = process.cpuUsage(cpuStart)
    return (used.user + used.system) / 1000
  }
  const ready: SimReady = {
    origin: sim.origin,
    caPath: sim.caPath,
    tenantId: sim.tenantId,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret
  }
  process.send?.({ ready })
  process.on('message', (message: SimCommand) => {
    switch (message.cmd) {
      case 'faults':
        for (const fault of message.faults) sim.addFault(fault)
        process.send?.({ id: message.id })
        break
      case 'reset':
        sim.resetRequests()
        sim.clearFaults()
        cpuStart = process.cpuUsage()
        process.send?.({ id: message.id })
        break
      case 'stats':
        process.send?.({ id: message.id, stats: stats(sim.requests, cpuMs()) })
        break
    }
  })
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)))
}

process.once('message', (init: SimInit) => {
  main(init).catch((error: unknown) => {
    console.error(`bench simulator failed: ${(error as Error).stack ?? String(error)}`)
    process.exit(1)
  })
})
