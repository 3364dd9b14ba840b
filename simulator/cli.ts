/**
 * Runs a simulator standalone (CI's `uses: ./` job, manual tries):
 *
 *   node build/simulator/cli.js --users 500 --seed 1 --github-env "$GITHUB_ENV" &
 *
 * Graph is throttled at Microsoft's documented rates (quota.ts) unless `--quota off`;
 * `--quota-scale 0.0333` shrinks every window (10 per minute becomes 10 per 2 s).
 *
 * Appends NODE_EXTRA_CA_CERTS, SIM_ORIGIN, SIM_TENANT_ID, SIM_DOMAIN, SIM_CLIENT_ID and
 * SIM_CLIENT_SECRET to the env file (GitHub `$GITHUB_ENV` format), prints all but the secret, then
 * a ready line, and serves until SIGTERM or SIGINT.
 */
import { appendFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startSimulator } from './server.js'
import { generateTenant } from './tenant.js'

const USAGE =
  'usage: cli.js [--users N] [--seed S] [--port P] [--latency MS] [--quota documented|off] [--quota-scale F] [--github-env PATH] [--host-name NAME]...'

function intFlag(name: string, raw: string | undefined, dflt: number, min: number): number {
  if (raw === undefined) return dflt
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    console.error(`--${name}: expected an integer >= ${min}, got '${raw}'\n${USAGE}`)
    process.exit(2)
  }
  return Number(raw)
}

async function main(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        users: { type: 'string' },
        seed: { type: 'string' },
        port: { type: 'string' },
        latency: { type: 'string' },
        quota: { type: 'string' },
        'quota-scale': { type: 'string' },
        'github-env': { type: 'string' },
        'host-name': { type: 'string', multiple: true },
        help: { type: 'boolean' }
      },
      strict: true
    }))
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  const users = intFlag('users', values.users, 100, 0)
  const seed = intFlag('seed', values.seed, 1, 0)
  const port = intFlag('port', values.port, 0, 0)
  const latencyMs = intFlag('latency', values.latency, 0, 0)
  const quotaMode = values.quota ?? 'documented'
  const timeScale = Number(values['quota-scale'] ?? '1')
  if (!['documented', 'off'].includes(quotaMode) || !(timeScale > 0 && timeScale <= 1)) {
    console.error(
      `--quota: 'documented' or 'off', --quota-scale: a number in (0, 1], got '${quotaMode}', '${values['quota-scale']}'\n${USAGE}`
    )
    process.exit(2)
  }

  const sim = await startSimulator({
    tenant: generateTenant({ count: users, seed }),
    port,
    latencyMs,
    quota: quotaMode === 'off' ? undefined : { timeScale },
    hostNames: values['host-name'] ?? []
  })
  const env: Array<[string, string]> = [
    ['NODE_EXTRA_CA_CERTS', sim.caPath],
    ['SIM_ORIGIN', sim.origin],
    ['SIM_TENANT_ID', sim.tenantId],
    ['SIM_DOMAIN', sim.domain],
    ['SIM_CLIENT_ID', sim.clientId],
    ['SIM_CLIENT_SECRET', sim.clientSecret]
  ]
  if (values['github-env']) {
    appendFileSync(values['github-env'], env.map(([k, v]) => `${k}=${v}\n`).join(''))
  }
  for (const [k, v] of env) if (k !== 'SIM_CLIENT_SECRET') console.log(`${k}=${v}`)
  const quota = quotaMode === 'off' ? 'no quota' : `quota ×${timeScale}`
  console.log(
    `simulator ready: ${sim.origin} (${users} users, seed ${seed}, ${quota}, pid ${process.pid})`
  )

  const stop = (signal: string) => {
    console.log(`simulator stopping (${signal})`)
    void sim.close().then(() => process.exit(0))
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

main().catch((e) => {
  console.error(`simulator failed to start: ${(e as Error).stack ?? String(e)}`)
  process.exit(1)
})
