import { mulberry32 } from '@idres/core';

/**
 * A seeded corpus of hostile POST /records requests. Every hostile value carries PII_MARKER, so a test can check
 * that no answer (or log line) ever quotes a value back. `records` is the number of array elements in the body
 * (undefined when the body is not a JSON array), so a test can check there is one answer per record.
 */
export const PII_MARKER = 'PIIMARK';

export interface HostileRequest {
  name: string;
  body: Buffer;
  contentType: string;
  /** Array length of the body, when it is a well-formed JSON array. */
  records?: number;
  /** Statuses that are right for this request (never a 5xx). */
  expect: number[];
  /** For array bodies: indexes that must be accepted / rejected, with the rejection code. */
  accepted?: number[];
  rejected?: Array<{ index: number; code: string }>;
}

const good = (source: string, id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  source, sourceRecordId: id, given_name: 'Ann', family_name: 'Lee', dob: '1980-02-01', ...extra,
});

function nested(depth: number): string {
  return '['.repeat(depth) + `"${PII_MARKER}"` + ']'.repeat(depth);
}

function json(name: string, value: unknown, opts: Partial<HostileRequest> = {}): HostileRequest {
  const body = Buffer.from(JSON.stringify(value));
  return { name, body, contentType: 'application/json', expect: [200, 207, 400], ...(Array.isArray(value) ? { records: value.length } : {}), ...opts };
}

/**
 * The corpus; `runId` makes record IDs unique per run (so a test can find exactly its records on identity.raw).
 * `bodyLimit` is the server's limit, to build a request just over it.
 */
export function hostileHttpCorpus(seed: number, runId: string, bodyLimit: number): HostileRequest[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const src = `hostile${runId}`;
  let n = 0;
  const id = (): string => `${runId}r${n++}`;
  const out: HostileRequest[] = [];

  // Wrong types in every position, each beside a good record (which must still be accepted).
  const wrongValues: unknown[] = [true, false, { a: PII_MARKER }, [PII_MARKER], 1e400 /* JSON null */, [], {}];
  const fields = ['given_name', 'family_name', 'dob', 'ssn', 'email', 'attributes', 'source', 'sourceRecordId'];
  const wrong: unknown[] = [];
  const wrongRejected: Array<{ index: number; code: string }> = [];
  for (const f of fields) {
    for (const v of wrongValues) {
      if (v === undefined || (typeof v === 'number')) continue;
      if (f === 'attributes' && typeof v === 'object' && !Array.isArray(v) && v !== null) continue; // an object is right there
      const code = f === 'source' ? 'SOURCE_INVALID' : f === 'sourceRecordId' ? 'ID_INVALID' : 'FIELD_TYPE';
      wrongRejected.push({ index: wrong.length, code });
      wrong.push({ ...good(src, id()), [f]: v });
    }
  }
  const goodIdx = wrong.length;
  wrong.push(good(src, id()));
  out.push(json('wrong types', wrong, { expect: [207], rejected: wrongRejected, accepted: [goodIdx] }));

  out.push(json('missing keys', [
    { sourceRecordId: id(), given_name: PII_MARKER },
    { source: src, given_name: PII_MARKER },
    { source: src, sourceRecordId: id(), tier: PII_MARKER },
    {},
    good(src, id()),
  ], { expect: [207], rejected: [{ index: 0, code: 'SOURCE_INVALID' }, { index: 1, code: 'ID_INVALID' }, { index: 2, code: 'NO_CANONICAL_FIELD' }, { index: 3, code: 'SOURCE_INVALID' }], accepted: [4] }));

  out.push(json('1 MB string', [good(src, id(), { given_name: PII_MARKER + 'x'.repeat(1024 * 1024) }), good(src, id())],
    { expect: [207], rejected: [{ index: 0, code: 'FIELD_TOO_LONG' }], accepted: [1] }));
  out.push(json('1 MB field name', [good(src, id(), { [PII_MARKER + 'k'.repeat(1024 * 1024)]: 'v' })], { expect: [400], rejected: [{ index: 0, code: 'NAME_INVALID' }] }));
  out.push(json('10,000-element array value', [good(src, id(), { family_name: Array.from({ length: 10_000 }, (_, i) => `${PII_MARKER}${i}`) })],
    { expect: [400], rejected: [{ index: 0, code: 'FIELD_TYPE' }] }));
  out.push(json('10,000 attributes', [good(src, id(), { attributes: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`a${i}`, PII_MARKER])) })],
    { expect: [400], rejected: [{ index: 0, code: 'TOO_MANY_ATTRIBUTES' }] }));
  out.push(json('record over the Kafka message limit', [good(src, id(), { attributes: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`a${i}`, PII_MARKER + 'y'.repeat(9_000)])) })],
    { expect: [400], rejected: [{ index: 0, code: 'RECORD_TOO_LARGE' }] }));
  out.push(json('10,000 records in one request', Array.from({ length: 10_000 }, () => good(src, id(), { postcode: String(10_000 + Math.floor(rand() * 89_999)) })), { expect: [200] }));

  const deep = Buffer.from(`[{"source":"${src}","sourceRecordId":"${id()}","given_name":${nested(100_000)}}]`);
  out.push({ name: 'deeply nested field (100,000 levels)', body: deep, contentType: 'application/json', records: 1, expect: [400], rejected: [{ index: 0, code: 'FIELD_TYPE' }] });
  out.push({ name: 'deeply nested body (100,000 levels)', body: Buffer.from(nested(100_000)), contentType: 'application/json', records: 1, expect: [400], rejected: [{ index: 0, code: 'NOT_AN_OBJECT' }] });

  const okJson = JSON.stringify([good(src, id(), { given_name: `${PII_MARKER}AAAA` })]);
  const bad = Buffer.from(okJson);
  const at = bad.indexOf('AAAA');
  bad[at] = 0xff; bad[at + 1] = 0xfe; bad[at + 2] = 0xc3; // invalid UTF-8 (and a truncated 2-byte sequence)
  out.push({ name: 'invalid UTF-8 bytes', body: bad, contentType: 'application/json', expect: [400] });
  const overlong = Buffer.from(okJson);
  overlong[at] = 0xc0; overlong[at + 1] = 0xaf; // overlong encoding of '/'
  out.push({ name: 'overlong UTF-8', body: overlong, contentType: 'application/json', expect: [400] });
  const rawNul = Buffer.from(okJson);
  rawNul[at] = 0x00;
  out.push({ name: 'raw NUL byte in the body', body: rawNul, contentType: 'application/json', expect: [400] });

  out.push(json('NUL and lone surrogates in values', [
    good(src, id(), { given_name: `${PII_MARKER}\u0000x` }),
    good(src, id(), { family_name: `${PII_MARKER}\ud800` }),
    good(src, id(), { attributes: { note: `${PII_MARKER}\u0000` } }),
    { ...good(src, id()), sourceRecordId: `${PII_MARKER}\u0000` },
    good(src, id()),
  ], { expect: [207], rejected: [{ index: 0, code: 'FIELD_CHARACTERS' }, { index: 1, code: 'FIELD_CHARACTERS' }, { index: 2, code: 'FIELD_CHARACTERS' }, { index: 3, code: 'ID_INVALID' }], accepted: [4] }));

  out.push(json('emoji and other scripts (valid, accepted)', [
    good(src, id(), { given_name: 'José 🙂', family_name: '👨‍👩‍👧‍👦 Nguyễn' }),
    good(src, id(), { given_name: '王', family_name: 'Σωκράτης', city: 'Zürich' }),
    good(src, id(), { full_name: '\u202Eevil\u202C', email: 'a@b.c' }),
  ], { expect: [200], accepted: [0, 1, 2] }));

  out.push(json('SQL and script fragments (valid text, accepted as data)', [
    good(src, id(), { family_name: "O'Brien'); DROP TABLE resolve_records;--" }),
    good(src, id(), { given_name: '<script>alert(1)</script>', city: '${jndi:ldap://x/a}' }),
    good(src, id(), { address_line1: "1' OR '1'='1", attributes: { q: '"; SELECT pg_sleep(10); --' } }),
  ], { expect: [200], accepted: [0, 1, 2] }));

  const dupId = id();
  out.push(json('duplicate IDs in one request', [good(src, dupId), good(src, dupId, { given_name: 'Other' }), good(src, id())],
    { expect: [207], accepted: [0, 2], rejected: [{ index: 1, code: 'DUPLICATE_ID' }] }));
  out.push(json('__proto__ key', [JSON.parse(`{"source":"${src}","sourceRecordId":"${id()}","given_name":"A","__proto__":{"polluted":"${PII_MARKER}"}}`)],
    { expect: [400], rejected: [{ index: 0, code: 'NAME_INVALID' }] }));

  for (const [name, body] of [['object body', { records: [good(src, id())] }], ['string body', PII_MARKER], ['number body', 42], ['null body', null], ['boolean body', true]] as const) {
    out.push({ name: `non-array: ${name}`, body: Buffer.from(JSON.stringify(body)), contentType: 'application/json', expect: [400] });
  }
  out.push(json('empty array', [], { expect: [200] }));
  out.push({ name: 'empty body', body: Buffer.alloc(0), contentType: 'application/json', expect: [400] });
  out.push({ name: 'truncated JSON', body: Buffer.from(JSON.stringify([good(src, id(), { given_name: PII_MARKER })])).subarray(0, 40), contentType: 'application/json', expect: [400] });
  out.push({ name: 'JSON with a value where a key should be', body: Buffer.from(`[{"source":"${src}", ${PII_MARKER} }]`), contentType: 'application/json', expect: [400] });
  out.push({ name: 'wrong content type', body: Buffer.from(JSON.stringify([good(src, id())])), contentType: 'text/plain', expect: [415] });
  out.push({ name: 'form content type', body: Buffer.from(`given_name=${PII_MARKER}`), contentType: 'application/x-www-form-urlencoded', expect: [415] });
  out.push(json('too many records (over the per-request limit)', Array.from({ length: 10_001 }, () => ({ source: src, sourceRecordId: 'x', given_name: 'A' })), { expect: [413], records: undefined }));
  // A huge request: just over the body limit, made of good records (nothing of it may be produced).
  const one = JSON.stringify(good(src, 'huge-0', { address_line1: 'z'.repeat(900) }));
  const count = Math.ceil(bodyLimit / one.length) + 1;
  out.push({ name: `huge request (${count} records, over the ${bodyLimit}-byte limit)`, body: Buffer.from(`[${Array.from({ length: count }, (_, i) => one.replace('huge-0', `huge-${i}`)).join(',')}]`), contentType: 'application/json', expect: [413] });

  // Seeded random junk: records whose every key and value is drawn from hostile shapes.
  const shapes: Array<() => unknown> = [
    () => `${PII_MARKER}${Math.floor(rand() * 1e6)}`, () => Math.floor(rand() * 1e9), () => rand() < 0.5, () => null,
    () => [PII_MARKER], () => ({ x: PII_MARKER }), () => '', () => ' ', () => `${PII_MARKER}\u0000`, () => '🙂'.repeat(Math.floor(rand() * 50)),
    () => 'x'.repeat(Math.floor(rand() * 12_000)), () => "'; DROP TABLE x; --", () => '\ud83d',
  ];
  const keys = ['source', 'sourceRecordId', 'id', 'given_name', 'family_name', 'dob', 'ssn', 'postcode', 'email', 'attributes', 'tier', '', ' '];
  for (let b = 0; b < 5; b++) {
    const recs: unknown[] = [];
    for (let r = 0; r < 60; r++) {
      if (rand() < 0.1) { recs.push(pick(shapes)()); continue; }
      const rec: Record<string, unknown> = rand() < 0.5 ? { source: src, sourceRecordId: id() } : {};
      const k = 1 + Math.floor(rand() * 6);
      for (let j = 0; j < k; j++) rec[pick(keys)] = pick(shapes)();
      recs.push(rec);
    }
    out.push(json(`random junk batch ${b}`, recs));
  }
  return out;
}
