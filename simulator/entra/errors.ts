/**
 * Every error the simulated Entra answers, one builder each, in Entra's body shape with its AADSTS
 * code and text (`entraError` in ../http.ts), so the action's error mapping is tested against what
 * it will really read.
 * Codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
import { entraError } from '../http.js'
import type { SimResponse, SimTenantDirectory } from '../types.js'

const FEDERATION_HELP =
  'Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation'

/** AADSTS90002: the tenant segment of the URL names no known directory. */
export function tenantNotFound(
  segment: string,
  endpoint: 'metadata' | 'token',
  correlationId: string
): SimResponse {
  return entraError(
    400,
    endpoint === 'metadata' ? 'invalid_tenant' : 'invalid_request',
    90002,
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    {},
    correlationId
  )
}

/** AADSTS70003: a grant type the simulator does not serve. */
export function unsupportedGrantType(grantType: string, correlationId: string): SimResponse {
  return entraError(
    400,
    'unsupported_grant_type',
    70003,
    `The app requested an unsupported grant type '${grantType}'.`,
    {},
    correlationId
  )
}

/** AADSTS700016: no app with this client id in the directory. */
export function applicationNotFound(
  clientId: string,
  directory: SimTenantDirectory,
  correlationId: string
): SimResponse {
  return entraError(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${directory.domains[0] ?? directory.id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    {},
    correlationId
  )
}

/** AADSTS7000218: a confidential client sent neither a secret nor an assertion. */
export function clientCredentialMissing(correlationId: string): SimResponse {
  return entraError(
    401,
    'invalid_client',
    7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    {},
    correlationId
  )
}

/** AADSTS7000215: the secret is not one registered on the app. */
export function invalidClientSecret(clientId: string, correlationId: string): SimResponse {
  return entraError(
    401,
    'invalid_client',
    7000215,
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    {},
    correlationId
  )
}

/** AADSTS50027 (400): a client_assertion_type other than jwt-bearer. */
export function invalidAssertionType(
  assertionType: string,
  expected: string,
  correlationId: string
): SimResponse {
  return entraError(
    400,
    'invalid_request',
    50027,
    `Invalid client_assertion_type '${assertionType}'; expected '${expected}'.`,
    {},
    correlationId
  )
}

/** AADSTS50027 (400): the assertion is not a JWT. */
export function malformedAssertion(correlationId: string): SimResponse {
  return entraError(
    400,
    'invalid_request',
    50027,
    'JWT token is invalid or malformed.',
    {},
    correlationId
  )
}

/** AADSTS700027: the assertion's thumbprint names no certificate registered on the app. */
export function certificateNotRegistered(
  thumbprint: string,
  clientId: string,
  correlationId: string
): SimResponse {
  return invalidClient(
    700027,
    `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
    correlationId
  )
}

/** AADSTS700027: the assertion's signature does not verify with the registered certificate. */
export function assertionSignatureInvalid(correlationId: string): SimResponse {
  return invalidClient(700027, 'Client assertion failed signature validation.', correlationId)
}

/** AADSTS700021: the assertion's iss/sub are not the client id. */
export function assertionClientMismatch(correlationId: string): SimResponse {
  return invalidClient(
    700021,
    "Client assertion application identifier doesn't match 'client_id' parameter.",
    correlationId
  )
}

/** AADSTS50027 (401): the certificate assertion's audience is not this token endpoint. */
export function assertionAudienceInvalid(audience: string, correlationId: string): SimResponse {
  return invalidClient(
    50027,
    `JWT token is invalid or malformed: audience '${audience}' is not this token endpoint.`,
    correlationId
  )
}

/** AADSTS700024: the assertion is expired or not yet valid. */
export function assertionOutsideValidTime(correlationId: string): SimResponse {
  return invalidClient(
    700024,
    'Client assertion is not within its valid time range.',
    correlationId
  )
}

/** AADSTS700211: the federated assertion comes from an issuer the simulator does not know. */
export function federatedIssuerUnknown(issuer: string, correlationId: string): SimResponse {
  return invalidClient(
    700211,
    `No matching federated identity record found for presented assertion issuer '${issuer}'. ${FEDERATION_HELP}`,
    correlationId
  )
}

/** AADSTS70021: the app has no federated credential at all. */
export function noFederatedCredential(
  issuer: string,
  subject: string,
  audiences: string[],
  correlationId: string
): SimResponse {
  return entraError(
    400,
    'invalid_request',
    70021,
    `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    {},
    correlationId
  )
}

/** AADSTS700212: the federated assertion's audience is no token-exchange audience. */
export function federatedAudienceUnknown(audiences: string[], correlationId: string): SimResponse {
  return invalidClient(
    700212,
    `No matching federated identity record found for presented assertion audience '${audiences.join(',')}'. ${FEDERATION_HELP}`,
    correlationId
  )
}

/** AADSTS700213: no federated credential on the app has the assertion's subject. */
export function federatedSubjectUnknown(subject: string, correlationId: string): SimResponse {
  return invalidClient(
    700213,
    `No matching federated identity record found for presented assertion subject '${subject}'. ${FEDERATION_HELP}`,
    correlationId
  )
}

/**
 * AADSTS7002138: a federated credential names the subject, but in other upper and lower case;
 * Entra compares subjects case-sensitively (its text as a GitHub workflow meets it, e.g.
 * https://github.com/Azure/login/issues/573).
 */
export function federatedSubjectCaseMismatch(subject: string, correlationId: string): SimResponse {
  return invalidClient(
    7002138,
    `No matching federated identity record found for presented assertion subject '${subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. ${FEDERATION_HELP}`,
    correlationId
  )
}

/** AADSTS1002012: a client credentials scope that is not one `<resource>/.default`. */
export function invalidClientCredentialsScope(scope: string, correlationId: string): SimResponse {
  return entraError(
    400,
    'invalid_scope',
    1002012,
    `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    {},
    correlationId
  )
}

/** AADSTS70000: an unknown refresh token, or one of another app or tenant. */
export function invalidRefreshToken(correlationId: string): SimResponse {
  return entraError(
    400,
    'invalid_grant',
    70000,
    "The provided value for the 'refresh_token' is not valid.",
    {},
    correlationId
  )
}

/** AADSTS50053: the account is locked. */
export function accountLocked(correlationId: string): SimResponse {
  return entraError(
    400,
    'invalid_grant',
    50053,
    'The account is locked because the user tried to sign in too many times with an incorrect user ID or password.',
    {},
    correlationId
  )
}

/** AADSTS50126: unknown user or wrong password. */
export function invalidUsernameOrPassword(correlationId: string): SimResponse {
  return entraError(
    400,
    'invalid_grant',
    50126,
    'Error validating credentials due to invalid username or password.',
    {},
    correlationId
  )
}

/** AADSTS50076: conditional access demands MFA, with the claims challenge Entra sends. */
export function mfaRequired(correlationId: string): SimResponse {
  return entraError(
    400,
    'invalid_grant',
    50076,
    "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
    {
      suberror: 'basic_action',
      claims: '{"access_token":{"capolids":{"essential":true,"values":["0d9a2b1c-sim-mfa"]}}}'
    },
    correlationId
  )
}

/** AADSTS65001: a delegated scope the app has no consent for. */
export function consentRequired(
  clientId: string,
  scope: string,
  correlationId: string
): SimResponse {
  return entraError(
    400,
    'invalid_grant',
    65001,
    `The user or administrator has not consented to use the application with ID '${clientId}' named 'entra-signin-check'. Send an interactive authorization request for this user and resource. (scope '${scope}')`,
    { suberror: 'consent_required' },
    correlationId
  )
}

function invalidClient(code: number, text: string, correlationId: string): SimResponse {
  return entraError(401, 'invalid_client', code, text, {}, correlationId)
}
