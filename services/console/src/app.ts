import type { FieldSealer } from '@idres/core/fieldSealer';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { bearer } from '@idres/auth';
import { progressOf, type JobStore } from '@idres/jobs';
import type { ConnectClient, SourceStore } from '@idres/sources';
import { sourcesOverview } from './sourcesOverview';
import type { Admin } from 'kafkajs';
import { compareMembers, rankForReview, reviewBand, weightOfProbability, type ReviewCandidate } from '@idres/core/reviewQueue';
import { OverrideError, type OverrideDecision, type OverrideDesk } from '@idres/overrides';
import type { ServiceApp } from '@idres/runtime';
import { isRefusal, noAuth, type ConsoleAccess, type ConsoleUser } from './consoleAuth';
import type { ConsoleQueries } from './consoleQueries';
import { LookupUnavailableError, type IdentityView, type LookupClient } from './lookupClient';
import { maskValues } from './maskNationalIds';
import { pipelineStatus } from './pipelineStatus';
import { parseSearchQuery, SearchQueryError, withSealedIdentifiers } from './searchQuery';

/** The built front end (vite build); the same path from src/ and from the bundle in dist/. */
export const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

export interface ConsoleDeps {
  /** The deployment's consumer group prefix, for the pipeline page's lag. */
  groupPrefix: string;
  queries: ConsoleQueries;
  lookup: LookupClient;
  desk: OverrideDesk;
  admin: Admin;
  /** The pipeline's services, for the pipeline page (their /ready and /metrics). */
  services: ReadonlyArray<{ name: string; url: string }>;
  /** The match threshold in use (match's /model), for the review band. */
  threshold: () => Promise<number>;
  /** Sign-in (tokenAccess); noAuth when absent. */
  auth?: ConsoleAccess;
  /** Jobs for the pipeline page (their phase and live progress); none shown when absent. */
  jobs?: JobStore;
  /** Followed sources for the pipeline page (Kafka Connect is asked when given); none shown when absent. */
  sources?: { store: SourceStore; connect: ConnectClient | undefined };
  /** Opens sealed national IDs for display (IDRES_SEAL_KEYS_FILE); without it they show fully masked. */
  sealer?: FieldSealer;
  webDist?: string;
}

const SESSION_COOKIE = 'idres_console';
const SESSION_PATH = '/api/session';
const SESSION_SECONDS = 12 * 3600;

const users = new WeakMap<FastifyRequest, ConsoleUser>();
const userOf = (req: FastifyRequest): ConsoleUser => users.get(req)!;

type Values = Record<string, string>;

/** Sealed national IDs opened (in memory), then masked for a user without the right to see them. */
const showValues = (sealer: FieldSealer | undefined) => (values: Values, user: ConsoleUser): Values => {
  const open = sealer ? sealer.openValues(values) : values;
  return user.seesNationalIds ? open : maskValues(open);
};

const num = (v: string | undefined, fallback: number, min: number, max: number): number => {
  const n = v === undefined || v === '' ? fallback : Number(v);
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : fallback;
};

/**
 * The console: the built front end at /, a JSON API under /api for what the lookup API does not give (search by
 * any key, history, household, review queue, decisions, pipeline state).
 */
export function buildConsoleApp(deps: ConsoleDeps): ServiceApp {
  const { queries, lookup, desk } = deps;
  const show = showValues(deps.sealer);
  const maskView = (v: IdentityView, user: ConsoleUser): IdentityView => ({
    ...v, golden: { ...v.golden, fields: show(v.golden.fields, user) }, members: v.members.map((m) => ({ ...m, values: show(m.values, user) })),
  });
  const auth = deps.auth ?? noAuth;
  const webDist = deps.webDist ?? WEB_DIST;

  // The newest jobs with their progress; a failing job store shows as no jobs, never as a broken page.
  const recentJobs = async () => {
    if (!deps.jobs) return [];
    const jobs = await deps.jobs.list({ limit: 10 }).catch(() => []);
    return jobs.map((j) => ({
      id: j.id, type: j.spec.type, source: j.spec.input?.source ?? null, phase: j.phase, counts: j.counts, progress: progressOf(j),
      error: j.error, createdAt: j.createdAt.getTime(), finishedAt: j.finishedAt?.getTime() ?? null,
    }));
  };

  const fail = (reply: FastifyReply, err: unknown): FastifyReply => {
    if (err instanceof SearchQueryError) return reply.code(400).send({ error: err.code, message: err.message });
    if (err instanceof OverrideError) return reply.code(err.code === 'OVERRIDE_NOT_FOUND' ? 404 : err.code === 'OVERRIDE_NOT_ACTIVE' ? 409 : 400).send({ error: err.code, message: err.message });
    if (err instanceof LookupUnavailableError) return reply.code(503).send({ error: err.code, message: err.message });
    throw err;
  };

  const routes = (http: FastifyInstance): void => {
    void http.register(fastifyCookie);
    http.addHook('onRequest', async (req, reply) => {
      if (!req.url.startsWith('/api/') || req.routeOptions.url === SESSION_PATH) return;
      const user = await auth.check(req.cookies[SESSION_COOKIE] || bearer(req.headers.authorization));
      if (isRefusal(user)) return reply.code(user.status).send({ error: user.code, message: user.message });
      users.set(req, user);
    });

    http.get('/api/me', async (req) => userOf(req));

    // Sign-in: the token goes into an HttpOnly, SameSite=Strict cookie, so page scripts never hold it and other
    // sites cannot send it; every request checks it again (a revoked token stops working within the cache time).
    http.post<{ Body: { token?: unknown } }>(SESSION_PATH, async (req, reply) => {
      const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
      const user = await auth.check(token);
      if (isRefusal(user)) return reply.code(user.status).send({ error: user.code, message: user.message });
      if (user.signedIn) {
        void reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', maxAge: SESSION_SECONDS });
      }
      return user;
    });
    http.delete(SESSION_PATH, async (_req, reply) => {
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    });

    http.get<{ Querystring: { q?: string; limit?: string } }>('/api/search', async (req, reply) => {
      try {
        const criteria = withSealedIdentifiers(parseSearchQuery(req.query.q ?? ''), deps.sealer);
        const hits = await queries.search(criteria, num(req.query.limit, 20, 1, 100));
        const user = userOf(req);
        const results = await Promise.all(hits.map(async (h) => {
          const view = await lookup.identity(h.masterId);
          return { masterId: h.masterId, matched: h.recordIds, size: view?.members.length ?? h.recordIds.length, golden: view ? show(view.golden.fields, user) : {} };
        }));
        return { criteria, results };
      } catch (err) {
        return fail(reply, err);
      }
    });

    http.get<{ Params: { masterId: string } }>('/api/identities/:masterId', async (req, reply) => {
      try {
        const view = await lookup.identity(req.params.masterId);
        const history = await queries.history(req.params.masterId);
        if (!view) {
          // Merged away or retired: say where its records went, so a bookmark still leads somewhere.
          const last = [...history].reverse().find((e) => e.masterId === req.params.masterId && (e.type === 'MERGED' || e.type === 'RETIRED'));
          return reply.code(404).send({ error: 'IDENTITY_NOT_FOUND', message: `no identity ${req.params.masterId}`, mergedInto: last?.type === 'MERGED' ? last.survivorId : null, history });
        }
        const user = userOf(req);
        const ids = view.members.map((m) => m.recordId);
        const [household, decisions] = await Promise.all([queries.household(view.masterId), desk.store.history(ids, 200)]);
        const shown = maskView(view, user);
        return {
          ...shown,
          fields: compareMembers(shown.members),
          history,
          household: household.map((h) => ({ ...h, values: show(h.values, user) })),
          decisions,
        };
      } catch (err) {
        return fail(reply, err);
      }
    });

    http.get<{ Querystring: { id?: string } }>('/api/record', async (req, reply) => {
      const id = req.query.id ?? '';
      const r = (await queries.records([id])).get(id);
      if (!r || r.masterId === null) return reply.code(404).send({ error: 'RECORD_NOT_FOUND', message: `no live record ${id}` });
      return { recordId: id, masterId: r.masterId };
    });

    // The queue: pairs in the band and links held apart; or, with ?identity=, every pair inside that identity.
    http.get<{ Querystring: { band?: string; limit?: string; threshold?: string; identity?: string } }>('/api/review', async (req, reply) => {
      const threshold = num(req.query.threshold, await deps.threshold(), 0.001, 0.999);
      const limit = num(req.query.limit, 50, 1, 500);
      let band = reviewBand(threshold, num(req.query.band, 0.15, 0, 1));
      let candidates: ReviewCandidate[];
      if (req.query.identity) {
        let view: IdentityView | undefined;
        try {
          view = await lookup.identity(req.query.identity);
        } catch (err) {
          return fail(reply, err);
        }
        if (!view) return reply.code(404).send({ error: 'IDENTITY_NOT_FOUND', message: `no identity ${req.query.identity}` });
        band = { threshold, lo: 0, hi: 1 }; // every pair of the identity, whatever its probability
        candidates = await queries.pairsAmong(view.members.map((m) => m.recordId), limit);
      } else {
        candidates = await queries.reviewCandidates({ lo: band.lo, hi: band.hi, thresholdWeight: weightOfProbability(threshold) }, limit);
      }
      const items = rankForReview(candidates, band);
      const records = await queries.records([...new Set(items.flatMap((i) => [i.a, i.b]))]);
      const user = userOf(req);
      const side = (id: string) => {
        const r = records.get(id);
        return { recordId: id, masterId: r?.masterId ?? null, values: r ? show(r.values, user) : {} };
      };
      return {
        band,
        items: items.map((i) => {
          const a = side(i.a);
          const b = side(i.b);
          return { ...i, records: [a, b], fields: compareMembers([a, b]) };
        }),
      };
    });

    http.post<{ Body: { a?: string; b?: string; decision?: OverrideDecision } }>('/api/overrides', async (req, reply) => {
      const user = userOf(req);
      if (!user.mayReview) return reply.code(403).send({ error: 'FORBIDDEN', message: 'you may not record decisions' });
      const body = req.body ?? {};
      try {
        const res = await desk.decide({ a: body.a ?? '', b: body.b ?? '', decision: body.decision as OverrideDecision, reviewer: user.name });
        return reply.code(res.changed ? 201 : 200).send(res);
      } catch (err) {
        return fail(reply, err);
      }
    });

    http.delete<{ Params: { id: string } }>('/api/overrides/:id', async (req, reply) => {
      const user = userOf(req);
      if (!user.mayReview) return reply.code(403).send({ error: 'FORBIDDEN', message: 'you may not undo decisions' });
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id) || id <= 0) return reply.code(400).send({ error: 'OVERRIDE_INVALID', message: 'decision IDs are positive integers' });
      try {
        return await desk.undo(id);
      } catch (err) {
        return fail(reply, err);
      }
    });

    http.get<{ Querystring: { record?: string } }>('/api/overrides', async (req) => {
      const r = req.query.record;
      return { decisions: r ? await desk.store.history([r]) : await desk.store.active() };
    });

    http.get('/api/pipeline', async () => ({
      at: Date.now(),
      threshold: await deps.threshold().catch(() => null),
      services: await pipelineStatus({ services: deps.services, admin: deps.admin, groupPrefix: deps.groupPrefix }),
      jobs: await recentJobs(),
      sources: deps.sources ? await sourcesOverview(deps.sources).catch(() => []) : [],
    }));

    if (existsSync(webDist)) {
      void http.register(fastifyStatic, { root: webDist, index: 'index.html' });
    } else {
      http.get('/', async (_req, reply) => reply.code(503).type('text/plain').send('The console is not built: run `npm run build:console` (or `npx idres services up`, which builds it).\n'));
    }
  };

  // Nothing to consume: resolve writes the identity history with each batch.
  return {
    start: async () => undefined,
    stop: async () => undefined,
    isReady: () => true,
    routes,
  };
}
