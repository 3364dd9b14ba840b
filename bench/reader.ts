/**
 * The reading floor: the least a Node client pays to list the tenant, to set the action's wall
 * time and CPU against. Keep-alive HTTPS (node:https, no fetch layer), the next page asked for
 * as soon as its `@odata.nextLink` has arrived (as the action does), every page decoded and
 * parsed with JSON.parse, and nothing else: no policy, no report, no retries.
 *
 * bench.ts runs it in its own process with the probe preloaded, exactly like the action, with
 * READER_ORIGIN, READER_TENANT, READER_CLIENT, READER_SECRET and the simulator's CA in
 * NODE_EXTRA_CA_CERTS. It prints one line of JSON: users read and requests made.
 */
import { Agent, request } from 'node:https'

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`reader: ${name} is not set`)
  return value
}
const origin = env('READER_ORIGIN')
const agent = new Agent({ keepAlive: true })
let requests = 0

/** What precedes the link in a Graph page (`{"@odata.context":"…","@odata.nextLink":"…`). */
const LINK_KEY = Buffer.from('"@odata.nextLink":"')

/**
 * One request; the body as one buffer. `onLink` gets the page's nextLink as soon as the chunk
 * holding it arrives (links in the simulator's pages carry no JSON escapes).
 */
function send(
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: string },
  onLink?: (link: string) => void
): Promise<Buffer> {
  requests++
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent },
      (res) => {
        const chunks: Buffer[] = []
        let bytes = 0
        let looking = onLink !== undefined
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk)
          bytes += chunk.length
          if (!looking) return
          const head = chunks.length === 1 ? chunk : Buffer.concat(chunks, bytes)
          const key = head.indexOf(LINK_KEY)
          const end = key < 0 ? -1 : head.indexOf(0x22, key + LINK_KEY.length)
          if (end >= 0) {
            looking = false
            onLink!(head.toString('utf8', key + LINK_KEY.length, end))
          } else if (head.indexOf('"value"') >= 0) looking = false
        })
        res.on('error', reject)
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks, bytes))
            : reject(new Error(`reader: HTTP ${res.statusCode} from ${url}`))
        )
      }
    )
    req.on('error', reject)
    req.end(init.body)
  })
}

/** A page request, and the next one once its link arrived. */
interface Slot {
  url: string
  body: Promise<Buffer>
  next?: Slot
}

interface Page {
  value: unknown[]
  '@odata.nextLink'?: string
}

async function main(): Promise<void> {
  const token = (
    JSON.parse(
      (
        await send(`${origin}/${env('READER_TENANT')}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: env('READER_CLIENT'),
            client_secret: env('READER_SECRET'),
            scope: `${origin}/.default`
          }).toString()
        })
      ).toString('utf8')
    ) as { access_token: string }
  ).access_token
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' }
  let users = 0
  const get = (url: string): Slot => {
    const slot: Slot = { url, body: send(url, { headers }, (link) => (slot.next = get(link))) }
    slot.body.catch(() => undefined)
    return slot
  }
  let slot = get(
    `${origin}/v1.0/users?$select=id,userPrincipalName,displayName,userType,accountEnabled,createdDateTime,signInActivity&$top=500`
  )
  for (;;) {
    const page = JSON.parse((await slot.body).toString('utf8')) as Page
    users += page.value.length
    const link = page['@odata.nextLink']
    if (!link) break
    // The early request went to the link the page itself names; anything else is a reader bug.
    if (slot.next?.url !== link) throw new Error('reader: the early nextLink differs from the page')
    slot = slot.next
  }
  agent.destroy()
  console.log(JSON.stringify({ users, requests }))
}

main().catch((error: unknown) => {
  console.error((error as Error).message)
  process.exitCode = 1
})
