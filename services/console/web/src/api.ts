/** The console API's shapes (services/console/src/app.ts) and a fetch helper that turns errors into messages. */
export interface Term { comparison: string; level: string; weight: number }
export interface Link { a: string; b: string; probability: number; matchWeight: number; rule: string | null; modelVersion: number | null; explanation: Term[] }
export interface Member { recordId: string; version: number; values: Record<string, string> }
export interface FieldComparison { field: string; values: Record<string, string>; differs: boolean }
export interface HistoryEvent { seq: number; masterId: string; type: 'MEMBERSHIP' | 'MERGED' | 'SPLIT' | 'RETIRED'; members: number; survivorId: string | null; splitFrom: string | null; at: number }
export interface Decision { id: number; a: string; b: string; decision: 'SAME' | 'DIFFERENT'; reviewer: string | null; createdAt: number; undoneAt: number | null }
export interface HeldApart { recordId: string; otherRecordId: string; otherMasterId: string | null; matchWeight: number; probability: number }
export interface Identity {
  masterId: string;
  golden: { fields: Record<string, string>; sources: Record<string, string> };
  members: Member[];
  links: Link[];
  clustering: { meanPairWeight: number; floor: number; scoredPairs: number; heldApart: HeldApart[] };
  fields: FieldComparison[];
  history: HistoryEvent[];
  household: Array<{ masterId: string; recordId: string; values: Record<string, string> }>;
  decisions: Decision[];
}
export interface SearchResult { masterId: string; matched: string[]; size: number; golden: Record<string, string> }
export interface ReviewItem {
  a: string; b: string; probability: number; matchWeight: number; link: boolean; masterA: string | null; masterB: string | null;
  reason: 'BORDERLINE' | 'HELD_APART'; distance: number;
  records: Array<{ recordId: string; masterId: string | null; values: Record<string, string> }>;
  fields: FieldComparison[];
}
export interface ServiceState {
  name: string; url: string; ready: boolean; details: Record<string, unknown>;
  messagesIn: number | null; messagesOut: number | null; lag: Array<{ group: string; topic: string; lag: number }>;
}

/** Who is signed in (GET /api/me); without authentication everyone is `anonymous` with every right. */
export interface Me { name: string; signedIn: boolean; seesNationalIds: boolean; mayReview: boolean }
export interface JobRow {
  id: string; type: string; source: string | null; phase: string;
  counts: { total: number | null; read: number; rejected: number; sent: number; resolved: number };
  progress: { percent: number | null; recordsPerSecond: number | null; etaSeconds: number | null; elapsedSeconds: number };
  error: { code: string; message: string } | null; createdAt: number; finishedAt: number | null;
}

/** A followed source (Debezium through Kafka Connect): the server's SourceRow. */
export interface SourceRow {
  name: string; table: string; connector: string;
  snapshot: { state: string; rowsDone: number; estimatedRows: number; rowsPerSecond: number | null; etaSeconds: number | null };
  changes: number; deletes: number; rejected: number; lastEventAt: number | null; lastChangeLagSeconds: number | null;
  errors: number; lastError: { code: string; message: string } | null; stalled: string | null;
}

/** Fired when the API answers 401 (never signed in, signed out elsewhere, token revoked): the app shows the sign-in form. */
export const SIGNED_OUT_EVENT = 'idres:signed-out';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly body: unknown) {
    super(message);
  }
}

export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { ...init, headers: { ...(init?.body ? { 'content-type': 'application/json' } : {}), ...init?.headers } });
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  if (res.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (!res.ok) throw new ApiError(res.status, body.error ?? 'HTTP_ERROR', body.message ?? `HTTP ${res.status}`, body);
  return body as T;
}

export const signIn = (token: string): Promise<Me> => api('/api/session', { method: 'POST', body: JSON.stringify({ token }) });
export const signOut = async (): Promise<void> => { await fetch('/api/session', { method: 'DELETE' }); };

export const decide = (a: string, b: string, decision: 'SAME' | 'DIFFERENT'): Promise<{ override: Decision; changed: boolean }> =>
  api('/api/overrides', { method: 'POST', body: JSON.stringify({ a, b, decision }) });
export const undo = (id: number): Promise<Decision> => api(`/api/overrides/${id}`, { method: 'DELETE' });

export const fmtTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
export const fmtP = (p: number): string => (p >= 0.9995 ? p.toFixed(4) : p.toFixed(3));
