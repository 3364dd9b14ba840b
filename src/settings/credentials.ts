import { readCertificate } from '../auth/certificate.js'
import { CLOUDS, type CloudName } from '../clouds.js'
import { Inputs } from '../constants.js'
import { InputError } from '../errors.js'
import type { ActionIO } from '../io.js'
import { AUTH_METHOD_CHOICES, type AuthMethod, type AuthMethodChoice } from './choices.js'
import { choice, secret, text } from './input-helper.js'
import type { Credentials } from './settings.js'

/** The secret inputs, every one masked as soon as it is read ('' when not given). */
export interface Secrets {
  clientSecret: string
  password: string
  certificate: string
  certificatePassword: string
}

/** Reads every secret input first and masks it, before anything can log it. */
export function readSecrets(io: ActionIO): Secrets {
  return {
    clientSecret: secret(io, Inputs.ClientSecret),
    password: secret(io, Inputs.Password),
    certificate: secret(io, Inputs.ClientCertificate),
    certificatePassword: secret(io, Inputs.ClientCertificatePassword)
  }
}

const METHOD_NEEDS: Record<AuthMethod, string> = {
  'client-certificate':
    'client-certificate (PEM key + certificate), optional client-certificate-password',
  'client-secret': 'client-secret',
  password: 'username + password, optional client-secret',
  'github-oidc':
    "the runner's OIDC token (workflow permissions: id-token: write), optional oidc-audience"
}

function methodsHelp(): string {
  return Object.entries(METHOD_NEEDS)
    .map(([method, needs]) => `${method} (${needs})`)
    .join('; ')
}

/**
 * The sign-in method: `auth-method` when explicit (its inputs present, no other method's inputs),
 * else the first of certificate, secret, password, OIDC whose inputs are given.
 */
function chooseMethod(
  io: ActionIO,
  asked: AuthMethodChoice,
  secrets: Secrets,
  username: string
): AuthMethod {
  const given = {
    certificate: secrets.certificate !== '',
    secret: secrets.clientSecret !== '',
    username: username !== '',
    password: secrets.password !== '',
    oidc: Boolean(io.env.ACTIONS_ID_TOKEN_REQUEST_URL)
  }
  if (asked === 'auto') {
    if (given.certificate) return 'client-certificate'
    if (given.secret && !given.username) return 'client-secret'
    if (given.username) {
      if (!given.password) {
        throw new InputError(
          "Input 'password' is required with 'username' (auth-method auto chose the password flow)."
        )
      }
      return 'password'
    }
    if (given.oidc) return 'github-oidc'
    throw new InputError(
      `Input 'auth-method' is auto but no way to sign in was given. Provide one of: ${methodsHelp()}.`
    )
  }
  const method = asked
  const missing = (what: string): never => {
    throw new InputError(
      `Input 'auth-method' is ${method} but ${what}. ${method} needs ${METHOD_NEEDS[method]}.`
    )
  }
  const foreign = (inputs: string[]): void => {
    if (inputs.length > 0) {
      throw new InputError(
        `Input 'auth-method' is ${method} but ${inputs.join(', ')} ${inputs.length > 1 ? 'belong' : 'belongs'} to another method; remove ${inputs.length > 1 ? 'them' : 'it'} or choose that method.`
      )
    }
  }
  const certificateInputs = given.certificate ? ['client-certificate'] : []
  if (secrets.certificatePassword !== '') certificateInputs.push('client-certificate-password')
  const passwordInputs = [
    given.username ? 'username' : '',
    given.password ? 'password' : ''
  ].filter(Boolean)
  switch (method) {
    case 'client-secret':
      if (!given.secret) missing("'client-secret' is empty")
      foreign([...certificateInputs, ...passwordInputs])
      break
    case 'client-certificate':
      if (!given.certificate) missing("'client-certificate' is empty")
      foreign([...(given.secret ? ['client-secret'] : []), ...passwordInputs])
      break
    case 'password':
      if (!given.username || !given.password) missing("'username' and 'password' are both required")
      foreign(certificateInputs)
      break
    case 'github-oidc':
      if (!given.oidc) {
        missing(
          "the runner exposes no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set): add 'permissions: id-token: write' to the workflow or job"
        )
      }
      foreign([...(given.secret ? ['client-secret'] : []), ...certificateInputs, ...passwordInputs])
      break
  }
  return method
}

/**
 * The credentials of the chosen method (a certificate is decoded and checked against `now`), and
 * the method as asked for (`auto` or explicit), for the log.
 */
export function readCredentials(
  io: ActionIO,
  secrets: Secrets,
  cloud: CloudName,
  now: Date
): { credentials: Credentials; asked: AuthMethodChoice } {
  const asked = choice(io, Inputs.AuthMethod, AUTH_METHOD_CHOICES, 'auto')
  const username = text(io, Inputs.Username)
  const audienceInput = text(io, Inputs.OidcAudience)
  const method = chooseMethod(io, asked, secrets, username)
  return {
    credentials: methodCredentials(method, secrets, username, audienceInput, cloud, now),
    asked
  }
}

function methodCredentials(
  method: AuthMethod,
  secrets: Secrets,
  username: string,
  audienceInput: string,
  cloud: CloudName,
  now: Date
): Credentials {
  switch (method) {
    case 'client-secret':
      return { method, clientSecret: secrets.clientSecret }
    case 'client-certificate':
      try {
        return {
          method,
          ...readCertificate(secrets.certificate, secrets.certificatePassword, now)
        }
      } catch (error) {
        throw new InputError(
          `Input '${Inputs.ClientCertificate}' ${error instanceof Error ? error.message : String(error)}.`
        )
      }
    case 'github-oidc':
      return { method, audience: audienceInput || CLOUDS[cloud].oidcAudience }
    case 'password':
      return {
        method,
        username,
        password: secrets.password,
        clientSecret: secrets.clientSecret || undefined
      }
  }
}
