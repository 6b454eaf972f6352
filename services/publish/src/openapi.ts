/** OpenAPI 3 description of the lookup API, served at /openapi.json. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'idres lookup API', version: '0.1.0', description: 'Read current identities resolved by idres. With auth on, every path but /health, /ready, /metrics and this document needs a bearer token with identities:read (401 without, 403 with the wrong scope); national IDs are masked (***-**-1234) unless the token also holds national_id:read.' },
  security: [{ bearerAuth: ['identities:read'] }],
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'idres API token (npx idres auth create)' } } },
  paths: {
    '/identities/{masterId}': {
      get: {
        summary: 'An identity: golden record, its household, member records, and the links with their explanations',
        parameters: [{ name: 'masterId', in: 'path', required: true, schema: { type: 'string', example: 'MDM_0000000001' } }],
        responses: { '200': { description: 'The identity' }, '404': { description: 'No such identity (never existed, merged away or retired)' } },
      },
    },
    '/households/{householdId}': {
      get: {
        summary: 'A household: identities sharing a standardized address and a family name, phone or email (a grouping, not a merge), with the evidence',
        parameters: [{ name: 'householdId', in: 'path', required: true, schema: { type: 'string', example: 'HH_0000000001' } }],
        responses: { '200': { description: '{ householdId, address, members (master IDs), evidence: [{ a, b, shared }] }' }, '404': { description: 'No such household (never existed, absorbed or dissolved)' } },
      },
    },
    '/records/{source}/{id}/identity': {
      get: {
        summary: 'The master ID of one source record',
        parameters: [
          { name: 'source', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: '{ recordId, masterId }' }, '404': { description: 'Unknown or deleted record' } },
      },
    },
    '/identities': {
      get: {
        summary: 'Search records by standardized name and date of birth',
        parameters: [
          { name: 'family_name', in: 'query', schema: { type: 'string' } },
          { name: 'given_name', in: 'query', schema: { type: 'string' } },
          { name: 'dob', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', default: 50, maximum: 500 } },
        ],
        responses: { '200': { description: '{ results: [{ masterId, recordId, values }] }' }, '400': { description: 'No criterion, or a bad date' } },
      },
    },
    '/health': { get: { summary: 'Liveness', responses: { '200': { description: 'ok' } } } },
    '/ready': { get: { summary: 'Readiness (consuming)', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } } },
  },
} as const;
