/** OpenAPI 3 description of ingest's HTTP API, served at /openapi.json (and what the fuzz tests generate from). */
const recordSchema = {
  type: 'object',
  description: 'One person record. Canonical fields are strings (numbers are taken as text); any other key is kept as a named attribute.',
  required: ['source', 'sourceRecordId'],
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^:]+$' },
    sourceRecordId: { oneOf: [{ type: 'string', minLength: 1, maxLength: 200 }, { type: 'number' }] },
    given_name: { type: 'string', maxLength: 1000 }, middle_name: { type: 'string', maxLength: 1000 },
    family_name: { type: 'string', maxLength: 1000 }, full_name: { type: 'string', maxLength: 1000 },
    dob: { type: 'string', maxLength: 1000 }, dob_year: { type: 'string' }, dob_month: { type: 'string' }, dob_day: { type: 'string' },
    gender: { type: 'string' }, ssn: { type: 'string' }, phone: { type: 'string' }, email: { type: 'string' },
    house_number: { type: 'string' }, address_line1: { type: 'string' }, address_line2: { type: 'string' },
    city: { type: 'string' }, state: { type: 'string' }, postcode: { type: 'string' }, country: { type: 'string' },
    attributes: { type: 'object', additionalProperties: { type: 'string', maxLength: 10000 }, maxProperties: 200 },
  },
  additionalProperties: { type: 'string', maxLength: 10000 },
} as const;

const resultSchema = {
  type: 'object',
  required: ['index', 'status'],
  properties: {
    index: { type: 'integer' },
    status: { type: 'string', enum: ['accepted', 'rejected', 'unavailable'] },
    recordId: { type: 'string' },
    code: { type: 'string', description: 'Stable reason code of a rejected or unavailable record' },
    reason: { type: 'string', description: 'Names the field and the problem, never the value' },
  },
} as const;

const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string', description: 'stable code' }, message: { type: 'string' } },
} as const;

const json = <S extends object>(schema: S): { 'application/json': { schema: S } } => ({ 'application/json': { schema } });
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
/** With auth on (IDRES_AUTH, docs/security.md): a bearer token from `npx idres auth create`. */
const authResponses = {
  '401': { description: 'No token, or an unknown, revoked or malformed one (auth on)', content: json(errorSchema) },
  '403': { description: 'The token lacks the scope records:write', content: json(errorSchema) },
} as const;
const answers = { type: 'object', required: ['accepted', 'rejected', 'results'], properties: { accepted: { type: 'integer' }, rejected: { type: 'integer' }, results: { type: 'array', items: resultSchema } } };

export const OPENAPI_DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'idres ingest API', version: '0.1.0', description: 'Send person records to identity.raw. Every record gets its own answer.' },
  paths: {
    '/records': {
      post: {
        summary: 'Produce records to identity.raw; answered per record (a 200 or 207 means the broker has the accepted ones)',
        security: [{ bearerAuth: ['records:write'] }],
        requestBody: { required: true, content: json({ type: 'array', items: recordSchema, maxItems: 10000 }) },
        responses: {
          ...authResponses,
          '200': { description: 'Every record accepted', content: json(answers) },
          '207': { description: 'Some records accepted, some rejected (see results)', content: json(answers) },
          '400': { description: 'No record accepted: each rejected with its reason, or the body is not a UTF-8 JSON array', content: json({ oneOf: [answers, errorSchema] }) },
          '413': { description: 'Too many records or too many bytes in one request', content: json(errorSchema) },
          '415': { description: 'Content-Type is not application/json', content: json(errorSchema) },
          '503': { description: 'Overloaded (too many requests in flight) or Kafka unavailable: retry after Retry-After seconds; records marked accepted are in', headers: retryAfter, content: json({ oneOf: [answers, errorSchema] }) },
        },
      },
    },
    '/records/{source}/{id}': {
      delete: {
        summary: 'Delete one record (a tombstone on identity.raw)',
        parameters: [
          { name: 'source', in: 'path', required: true, schema: { type: 'string', pattern: '^[^:]+$', maxLength: 200 } },
          { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 200 } },
        ],
        security: [{ bearerAuth: ['records:write'] }],
        responses: {
          ...authResponses,
          '202': { description: 'Tombstone produced', content: json({ type: 'object', properties: { deleted: { type: 'string' } } }) },
          '400': { description: 'Bad source or ID', content: json(errorSchema) },
          '503': { description: 'Overloaded or Kafka unavailable', headers: retryAfter, content: json(errorSchema) },
        },
      },
    },
    '/health': { get: { summary: 'Liveness', responses: { '200': { description: 'ok' } } } },
    '/ready': { get: { summary: 'Readiness', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } } },
  },
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'idres API token (npx idres auth create)' } } },
} as const;
