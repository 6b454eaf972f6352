import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import type { HouseholdStore } from '@idres/households';
import {
  ConsumerRunner,
  TOPICS,
  type GoldenRecordAvro,
  type HouseholdAvro,
  type HouseholdKeyAvro,
  type InboundMessage,
  type MasterKeyAvro,
  type OutboundMessage,
  type ResolvedEventAvro,
  type RunnerDeps,
  type ServiceApp,
} from '@idres/runtime';
import { DEFAULT_SURVIVORSHIP, type SurvivorshipRule } from '@idres/core/survivorship';
import type { FieldSealer } from '@idres/core/fieldSealer';
import { SCOPES, requestHas } from '@idres/auth';
import { IdentityQueries, type IdentityView } from './identityQueries';
import { maskValues } from './maskNationalId';
import { OPENAPI_DOCUMENT } from './openapi';

/** What publish reads of the households service's state (PgHouseholdStore; the lookup API and golden records). */
export type HouseholdReader = Pick<HouseholdStore, 'household' | 'householdsOf' | 'seqsOf'>;

/**
 * Keeps identity.golden current. Each event only names an identity that changed; the golden record is rebuilt
 * from resolve's current state, so duplicated or reordered events still converge on the truth. With a household
 * reader, golden records carry their household ID, and a second consumer follows identity.households to rebuild
 * the golden records of identities that joined or left a household (households are computed after the identity
 * changed, so the first golden record may carry the previous household for a moment).
 */
export interface PublishAppOptions {
  /** Opens sealed national IDs for the lookup API (in memory; golden records on identity.golden stay sealed). */
  sealer?: FieldSealer;
}

export function buildPublishApp(deps: RunnerDeps, pool: Pool, survivorship: Readonly<Record<string, SurvivorshipRule>> = DEFAULT_SURVIVORSHIP, households?: HouseholdReader, options: PublishAppOptions = {}): ServiceApp {
  const queries = new IdentityQueries(pool, survivorship, households);
  const goldenMessages = async (changed: ReadonlyMap<string, number>): Promise<OutboundMessage[]> => {
    const current = await queries.goldens([...changed.keys()]);
    const householdOf = households ? await households.householdsOf([...current.keys()]) : new Map<string, string>();
    const outputs: OutboundMessage[] = [];
    for (const [masterId, seq] of changed) {
      const g = current.get(masterId);
      if (!g) {
        outputs.push({ topic: TOPICS.golden, key: { masterId }, value: null });
        continue;
      }
      const golden: GoldenRecordAvro = { masterId, members: g.members, fields: g.golden.fields, sources: g.golden.sources, seq, updatedAt: Date.now(), householdId: householdOf.get(masterId) ?? null };
      outputs.push({ topic: TOPICS.golden, key: { masterId }, value: golden });
    }
    return outputs;
  };
  const handle = async (messages: InboundMessage<MasterKeyAvro, ResolvedEventAvro>[]) => {
    const changed = new Map<string, number>();
    for (const m of messages) {
      const e = m.value;
      if (!e) continue; // identity.resolved is not compacted and carries no tombstones; nothing to rebuild
      changed.set(e.masterId, Math.max(changed.get(e.masterId) ?? 0, e.seq));
    }
    return { outputs: await goldenMessages(changed) };
  };
  const runner = new ConsumerRunner<MasterKeyAvro, ResolvedEventAvro>({
    ...deps,
    stage: 'publish',
    groupId: `${deps.groupPrefix}.publish`,
    topic: TOPICS.resolved,
    keySchema: 'MasterKey',
    valueSchema: 'ResolvedEvent',
    maxBatchSize: Math.max(deps.batchSize, 2000),
    handle,
  });
  const householdRunner = households ? new ConsumerRunner<HouseholdKeyAvro, HouseholdAvro>({
    ...deps,
    stage: 'publish-households',
    groupId: `${deps.groupPrefix}.publish-households`,
    topic: TOPICS.households,
    keySchema: 'HouseholdKey',
    valueSchema: 'Household',
    maxBatchSize: Math.max(deps.batchSize, 2000),
    handle: async (messages) => {
      const ids = new Set<string>();
      for (const m of messages) for (const id of [...(m.value?.members ?? []), ...(m.value?.departed ?? [])]) ids.add(id);
      if (ids.size === 0) return { outputs: [] };
      // Identities the households service still knows (one merged away since has no seq there and keeps its tombstone).
      return { outputs: await goldenMessages(await households.seqsOf([...ids])) };
    },
  }) : undefined;
  return {
    start: async () => { await runner.start(); await householdRunner?.start(); },
    stop: async () => { await householdRunner?.stop(); await runner.stop(); },
    isReady: () => runner.isRunning() && (householdRunner?.isRunning() ?? true),
    routes: (http) => registerLookupRoutes(http, queries, options.sealer),
  };
}

/** The identity with each value changed by `f` (opening sealed fields, masking national IDs). */
function mapView(view: IdentityView, f: (values: Record<string, string>) => Record<string, string>): IdentityView {
  return { ...view, golden: { ...view.golden, fields: f(view.golden.fields) }, members: view.members.map((m) => ({ ...m, values: f(m.values) })) };
}

/**
 * The lookup API. Every route needs identities:read (when auth is on, see @idres/auth); national IDs are shown in
 * clear only to callers that also hold national_id:read.
 */
export function registerLookupRoutes(http: FastifyInstance, queries: IdentityQueries, sealer?: FieldSealer): void {
  // Sealed national IDs are opened for every caller, then masked for those without the scope (the mask shows the
  // last four digits, which only the clear value has).
  const open = (values: Record<string, string>): Record<string, string> => (sealer ? sealer.openValues(values) : values);
  const read = { config: { auth: { scope: SCOPES.identitiesRead } } };
  http.get('/openapi.json', { config: { auth: 'public' } }, async () => OPENAPI_DOCUMENT);
  http.get<{ Params: { masterId: string } }>('/identities/:masterId', read, async (req, reply) => {
    const view = await queries.identity(req.params.masterId);
    if (!view) return reply.code(404).send({ error: 'IDENTITY_NOT_FOUND', message: 'no identity with that master ID' });
    return mapView(view, requestHas(req, SCOPES.nationalIdRead) ? open : (v) => maskValues(open(v)));
  });
  http.get<{ Params: { householdId: string } }>('/households/:householdId', read, async (req, reply) => {
    const view = await queries.household(req.params.householdId);
    if (!view) return reply.code(404).send({ error: 'HOUSEHOLD_NOT_FOUND', message: 'no household with that ID' });
    return view;
  });
  http.get<{ Params: { source: string; id: string } }>('/records/:source/:id/identity', read, async (req, reply) => {
    const recordId = `${req.params.source}:${req.params.id}`;
    const masterId = await queries.masterIdOfRecord(recordId);
    if (!masterId) return reply.code(404).send({ error: 'RECORD_NOT_FOUND', message: 'no live record with that source and ID' }); // not echoed: callers use SSNs or emails as IDs
    return { recordId, masterId };
  });
  http.get<{ Querystring: { family_name?: string; given_name?: string; dob?: string; limit?: string } }>('/identities', read, async (req, reply) => {
    const { family_name, given_name, dob } = req.query;
    if (!family_name && !given_name && !dob) return reply.code(400).send({ error: 'QUERY_INVALID', message: 'give at least one of family_name, given_name, dob' });
    if (dob !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(dob)) return reply.code(400).send({ error: 'QUERY_INVALID', message: 'dob must be YYYY-MM-DD' });
    const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
    const results = await queries.search({ familyName: family_name, givenName: given_name, dob, limit });
    const show = requestHas(req, SCOPES.nationalIdRead) ? open : (v: Record<string, string>) => maskValues(open(v));
    return { results: results.map((r) => ({ ...r, values: show(r.values) })) };
  });
}
