/**
 * The simulator's directory roles, eligibilities, subscribed SKUs and the user fields the
 * privileged / licence / guest / agent policy reads, against Graph's documented shapes and
 * permissions.
 */
import type { Agent } from 'node:https'
import { ConfidentialClientApplication } from '@azure/msal-node'
import { msalNetworkClient, simAgent, simRequest } from '../simulator/client.js'
import {
  GENERATED_ROLE_PAGE_SIZE,
  licenses,
  ROLE_PRINCIPALS,
  ROLES,
  SKUS
} from '../simulator/catalog.js'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_DOMAIN,
  DEFAULT_TENANT_ID,
  startSimulator,
  type Simulator
} from '../simulator/server.js'
import { fixtureTenant, generateTenant, GROUPS } from '../simulator/tenant.js'
import type { GraphUser } from '../simulator/types.js'

const tenant = generateTenant({ count: 1234, seed: 7, now: '2025-06-01T00:00:00Z' })
const APPS = {
  full: {
    clientId: DEFAULT_CLIENT_ID,
    secret: DEFAULT_CLIENT_SECRET,
    roles: [
      'User.Read.All',
      'RoleManagement.Read.Directory',
      'LicenseAssignment.Read.All',
      'GroupMember.Read.All'
    ]
  },
  usersOnly: {
    clientId: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
    secret: 'u1',
    roles: ['User.Read.All']
  },
  directoryRead: {
    clientId: '6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f',
    secret: 'd1',
    roles: ['Directory.Read.All']
  }
}

let sim: Simulator
const tokens = new Map<string, string>()

async function token(app: keyof typeof APPS, sim_ = sim): Promise<string> {
  const key = `${sim_.port}:${app}`
  const cached = tokens.get(key)
  if (cached) return cached
  const { clientId, secret } = APPS[app]
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId,
      clientSecret: secret,
      authority: `${sim_.origin}/${DEFAULT_TENANT_ID}`,
      knownAuthorities: [new URL(sim_.origin).host]
    },
    system: { networkClient: msalNetworkClient(sim_.caPem) }
  })
  const r = await cca.acquireTokenByClientCredential({ scopes: [`${sim_.origin}/.default`] })
  tokens.set(key, r!.accessToken)
  return r!.accessToken
}

const agents = new Map<Simulator, Agent>()
async function get(path: string, bearer: string, sim_ = sim) {
  if (!agents.has(sim_)) agents.set(sim_, simAgent(sim_.caPem))
  return simRequest(agents.get(sim_)!, path.startsWith('https:') ? path : sim_.origin + path, {
    headers: { Authorization: `Bearer ${bearer}` }
  })
}

interface Page<T> {
  value: T[]
  '@odata.nextLink'?: string
}

/** Every object of a paged list, and how many pages it took. */
async function readAll<T>(path: string, bearer: string, sim_ = sim) {
  const items: T[] = []
  let pages = 0
  let url: string | undefined = path
  while (url) {
    const r = await get(url, bearer, sim_)
    expect(r.status).toBe(200)
    const page = r.json as Page<T>
    items.push(...page.value)
    pages++
    url = page['@odata.nextLink']
  }
  return { items, pages }
}

/** Indices from, from + step, … of users that are people (the documented generator rule). */
function humans(from: number, step: number): number[] {
  const out: number[] = []
  for (let i = from; i < tenant.count; i += step) {
    if (tenant.user(i)['@odata.type'] === undefined) out.push(i)
  }
  return out
}

interface Grant {
  principalId: string
  roleDefinitionId: string
  principal?: { '@odata.type': string; id: string } | null
}

beforeAll(async () => {
  sim = await startSimulator({ tenant, apps: Object.values(APPS) })
})

afterAll(async () => {
  for (const agent of agents.values()) agent.destroy()
  await sim?.close()
})

beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
})

describe('directory roles', () => {
  test('active assignments: paged, principals expanded with their type, group and app included', async () => {
    const bearer = await token('full')
    const { items, pages } = await readAll<Grant>(
      '/v1.0/roleManagement/directory/roleAssignments?$expand=principal',
      bearer
    )
    const userAdmins = humans(5, 53)
    const globalReaders = humans(7, 71).filter((_, k) => k % 2 === 0)
    expect(userAdmins.length).toBeGreaterThan(20)
    // Break-glass, user admins, global readers, the group and the app: more than one page.
    expect(items).toHaveLength(2 + userAdmins.length + globalReaders.length + 2)
    expect(pages).toBe(Math.ceil(items.length / GENERATED_ROLE_PAGE_SIZE))
    expect(pages).toBeGreaterThan(1)
    for (const i of userAdmins) {
      expect(items).toContainEqual(
        expect.objectContaining({
          principalId: tenant.user(i).id,
          roleDefinitionId: ROLES.userAdministrator.id
        })
      )
    }
    const byPrincipal = new Map(items.map((g) => [g.principalId, g]))
    expect(byPrincipal.get(tenant.user(0).id)).toMatchObject({
      roleDefinitionId: ROLES.globalAdministrator.id,
      principal: { '@odata.type': '#microsoft.graph.user', id: tenant.user(0).id }
    })
    expect(byPrincipal.get(ROLE_PRINCIPALS.helpdeskAdmins.id)?.principal).toMatchObject({
      '@odata.type': '#microsoft.graph.group',
      isAssignableToRole: true
    })
    expect(byPrincipal.get(ROLE_PRINCIPALS.provisioningApp.id)?.principal).toMatchObject({
      '@odata.type': '#microsoft.graph.servicePrincipal'
    })
    for (const g of items) {
      if (g.principal?.['@odata.type'] === '#microsoft.graph.user') {
        expect(tenant.userById(g.principalId)?.['@odata.type']).toBeUndefined()
      }
    }
    expect(sim.requests.filter((r) => r.target === 'roleAssignments')).toHaveLength(pages)
  })

  test('the role-assignable group has members, and its roles are active and eligible', async () => {
    const bearer = await token('full')
    const members = await readAll<{ id: string }>(
      `/v1.0/groups/${GROUPS.helpdeskAdmins}/transitiveMembers?$select=id`,
      bearer
    )
    expect(members.items.map((m) => m.id)).toEqual(humans(11, 89).map((i) => tenant.user(i).id))
    const eligible = await readAll<Grant>(
      '/beta/roleManagement/directory/roleEligibilitySchedules?$expand=principal',
      bearer
    )
    expect(eligible.items).toContainEqual(
      expect.objectContaining({
        principalId: ROLE_PRINCIPALS.helpdeskAdmins.id,
        roleDefinitionId: ROLES.exchangeAdministrator.id,
        memberType: 'Direct',
        status: 'Provisioned'
      })
    )
    expect(
      eligible.items.filter((g) => g.roleDefinitionId === ROLES.securityAdministrator.id)
    ).toHaveLength(humans(7, 71).length)
  })

  test('definitions give the role names', async () => {
    const { items } = await readAll<{ id: string; displayName: string }>(
      '/v1.0/roleManagement/directory/roleDefinitions?$select=id,displayName',
      await token('full')
    )
    expect(items).toContainEqual(expect.objectContaining(ROLES.helpdeskAdministrator))
    expect(items).toHaveLength(Object.keys(ROLES).length)
  })

  test('permissions: 403 without a role permission; Directory.Read.All reads assignments, not eligibility', async () => {
    const usersOnly = await token('usersOnly')
    for (const list of ['roleAssignments', 'roleEligibilitySchedules', 'roleDefinitions']) {
      const r = await get(`/v1.0/roleManagement/directory/${list}`, usersOnly)
      expect(r.status).toBe(403)
      expect(r.json).toMatchObject({ error: { code: 'Authorization_RequestDenied' } })
    }
    const directory = await token('directoryRead')
    expect((await get('/v1.0/roleManagement/directory/roleAssignments', directory)).status).toBe(
      200
    )
    expect(
      (await get('/v1.0/roleManagement/directory/roleEligibilitySchedules', directory)).status
    ).toBe(403)
  })

  test('$top and $filter are refused, a foreign skiptoken is 400, faults apply', async () => {
    const bearer = await token('full')
    const base = '/v1.0/roleManagement/directory/roleAssignments'
    expect((await get(`${base}?$top=5`, bearer)).status).toBe(400)
    expect((await get(`${base}?$filter=principalId eq 'x'`, bearer)).status).toBe(400)
    expect((await get(`${base}?$skiptoken=nope`, bearer)).status).toBe(400)
    expect((await get(`${base}?$expand=directoryScope`, bearer)).status).toBe(400)
    sim.addFault({ target: 'roleAssignments', kind: 'status', status: 503 })
    expect((await get(base, bearer)).status).toBe(503)
    expect((await get(base, bearer)).status).toBe(200)
    sim.addFault({
      target: 'roleEligibilitySchedules',
      kind: 'status',
      status: 429,
      retryAfter: '1'
    })
    const throttled = await get('/beta/roleManagement/directory/roleEligibilitySchedules', bearer)
    expect(throttled.status).toBe(429)
    expect(throttled.headers['retry-after']).toBe('1')
    expect(sim.requests.filter((r) => r.target === 'roleAssignments')).toHaveLength(6)
  })
})

describe('subscribed SKUs', () => {
  test('one page of part numbers; every assigned licence is one of them', async () => {
    const r = await get('/v1.0/subscribedSkus', await token('full'))
    expect(r.status).toBe(200)
    const page = r.json as Page<{ skuId: string; skuPartNumber: string; prepaidUnits: object }>
    expect(page['@odata.nextLink']).toBeUndefined()
    expect(page.value.map((s) => s.skuPartNumber).sort()).toEqual(Object.keys(SKUS).sort())
    const known = new Set(page.value.map((s) => s.skuId))
    for (let i = 0; i < tenant.count; i++) {
      for (const l of tenant.user(i).assignedLicenses ?? []) expect(known.has(l.skuId)).toBe(true)
    }
  })

  test('403 without LicenseAssignment.Read.All (or a directory read); $filter refused', async () => {
    const denied = await get('/v1.0/subscribedSkus', await token('usersOnly'))
    expect(denied.status).toBe(403)
    expect((await get('/v1.0/subscribedSkus', await token('directoryRead'))).status).toBe(200)
    expect(
      (await get("/v1.0/subscribedSkus?$filter=skuPartNumber eq 'EMS'", await token('full'))).status
    ).toBe(400)
  })
})

describe('user fields for guests, licences and agents', () => {
  const select =
    'id,userType,externalUserState,externalUserStateChangeDateTime,assignedLicenses,mail,onPremisesSyncEnabled,createdDateTime'

  test('selected and served; agents carry @odata.type on beta; same seed, same users', async () => {
    const { items } = await readAll<Record<string, unknown>>(
      `/beta/users?$select=${select}&$top=999`,
      await token('full')
    )
    expect(items).toHaveLength(tenant.count)
    const agents = items.filter((u) => u['@odata.type'] === '#microsoft.graph.agentUser')
    expect(agents.length).toBeGreaterThan(5)
    for (const a of agents) expect(a.userType).toBe('Member')
    const pending = items.filter((u) => u.externalUserState === 'PendingAcceptance')
    expect(pending.length).toBeGreaterThan(5)
    for (const u of pending) {
      expect(u.userType).toBe('Guest')
      const index = tenant.indexOf(u.id as string)!
      expect([
        'new-account',
        'never-absent',
        'never-null',
        'never-fields-null',
        'never-empty-string',
        'never-sentinel',
        'never-no-created'
      ]).toContain(tenant.kindOf(index))
    }
    expect(pending.some((u) => u.externalUserStateChangeDateTime === null)).toBe(true)
    expect(items.some((u) => u.externalUserState === 'Accepted')).toBe(true)
    expect(items.some((u) => u.onPremisesSyncEnabled === true)).toBe(true)
    expect(
      items.filter((u) => (u.assignedLicenses as unknown[]).length === 0).length
    ).toBeGreaterThan(100)
    for (const u of items) {
      expect(Object.keys(u).filter((k) => !k.startsWith('@'))).toEqual(select.split(','))
      if (u.userType === 'Member') expect(u.externalUserState).toBeNull()
    }
    const again = generateTenant({ count: 1234, seed: 7, now: '2025-06-01T00:00:00Z' })
    expect(again.user(321)).toEqual(tenant.user(321))
    expect(again.rolesAndSkus()).toEqual(tenant.rolesAndSkus())
    expect(generateTenant({ count: 1234, seed: 8 }).rolesAndSkus().roleAssignments).not.toEqual(
      tenant.rolesAndSkus().roleAssignments
    )
  })

  test('no agent holds a role, and the break-glass accounts hold no licence', () => {
    const { roleAssignments, roleEligibilitySchedules } = tenant.rolesAndSkus()
    for (const g of [...roleAssignments, ...roleEligibilitySchedules]) {
      expect(tenant.userById(g.principalId)?.['@odata.type']).toBeUndefined()
    }
    for (const id of tenant.groupMembers(GROUPS.helpdeskAdmins)!) {
      expect(tenant.userById(id)?.['@odata.type']).toBeUndefined()
    }
    expect(tenant.user(0).assignedLicenses).toEqual([])
  })
})

describe('fixture tenant', () => {
  const admin: GraphUser = {
    id: 'aaaaaaaa-0000-4000-8000-000000000001',
    userPrincipalName: `admin@${DEFAULT_DOMAIN}`,
    displayName: 'Admin',
    userType: 'Member',
    accountEnabled: true,
    assignedLicenses: licenses('SPE_E5')
  }
  const helper: GraphUser = {
    ...admin,
    id: 'aaaaaaaa-0000-4000-8000-000000000002',
    userPrincipalName: `helper@${DEFAULT_DOMAIN}`
  }
  const group = {
    '@odata.type': '#microsoft.graph.group' as const,
    id: 'bbbbbbbb-0000-4000-8000-000000000001',
    displayName: 'Tier 0'
  }

  test('roles as given, paged at rolePageSize; principals of every kind', async () => {
    const own = await startSimulator({
      tenant: fixtureTenant([admin, helper], {
        roleAssignments: {
          [admin.id]: ['globalAdministrator', 'userAdministrator'],
          [group.id]: ['privilegedRoleAdministrator']
        },
        roleEligibilities: { [helper.id]: ['helpdeskAdministrator'] },
        principals: [group],
        groups: { [group.id]: [helper.id] },
        subscribedSkus: [SKUS.SPE_E5],
        rolePageSize: 2
      }),
      apps: [APPS.full]
    })
    try {
      const bearer = await token('full', own)
      const active = await readAll<Grant>(
        '/beta/roleManagement/directory/roleAssignments?$expand=principal',
        bearer,
        own
      )
      expect(active.pages).toBe(2)
      expect(active.items.map((g) => [g.principalId, g.principal?.['@odata.type']])).toEqual([
        [admin.id, '#microsoft.graph.user'],
        [admin.id, '#microsoft.graph.user'],
        [group.id, '#microsoft.graph.group']
      ])
      const eligible = await readAll<Grant>(
        '/beta/roleManagement/directory/roleEligibilitySchedules',
        bearer,
        own
      )
      expect(eligible.items).toEqual([
        expect.objectContaining({
          principalId: helper.id,
          roleDefinitionId: ROLES.helpdeskAdministrator.id
        })
      ])
      const skus = await get('/beta/subscribedSkus', bearer, own)
      expect(
        (skus.json as Page<{ skuPartNumber: string }>).value.map((s) => s.skuPartNumber)
      ).toEqual(['SPE_E5'])
    } finally {
      await own.close()
    }
  })

  test('without roles or SKUs given, the lists are empty (definitions and SKUs default)', async () => {
    const bare = fixtureTenant([admin])
    expect(bare.rolesAndSkus!().roleAssignments).toEqual([])
    expect(bare.rolesAndSkus!().roleDefinitions).toHaveLength(Object.keys(ROLES).length)
    expect(bare.rolesAndSkus!().subscribedSkus).toHaveLength(Object.keys(SKUS).length)
  })
})
