import { validateInputRecord } from '@idres/core/inputRecord';
import { RawRecordProducer, type Metrics, type ServiceApp, type AvroSerde } from '@idres/runtime';
import type { Producer } from 'kafkajs';

export interface IngestDeps {
  producer: Producer;
  serde: AvroSerde;
  metrics: Metrics;
  maxRecordsPerRequest: number;
}

/**
 * HTTP ingestion: POST /records takes a JSON array and answers per record; valid records are produced to
 * identity.raw before the response (so a 200 means the broker has them), invalid ones are refused with a reason.
 * DELETE /records/:source/:id produces a tombstone.
 */
export function buildIngestApp(deps: IngestDeps): ServiceApp {
  const out = new RawRecordProducer(deps.producer, deps.serde);
  let ready = false;
  return {
    start: async () => { ready = true; },
    stop: async () => { ready = false; },
    isReady: () => ready,
    routes: (http) => {
      http.post('/records', async (req, reply) => {
        const body = req.body;
        if (!Array.isArray(body)) return reply.code(400).send({ error: 'BODY_INVALID', message: 'body must be a JSON array of records' });
        if (body.length > deps.maxRecordsPerRequest) return reply.code(413).send({ error: 'TOO_MANY_RECORDS', message: `at most ${deps.maxRecordsPerRequest} records per request` });
        const results: Array<{ index: number; status: 'accepted' | 'rejected'; recordId?: string; reason?: string }> = [];
        const valid = [];
        for (let i = 0; i < body.length; i++) {
          const r = validateInputRecord(body[i]);
          if ('error' in r) {
            results.push({ index: i, status: 'rejected', reason: r.error });
          } else {
            valid.push(r.ok);
            results.push({ index: i, status: 'accepted', recordId: `${r.ok.source}:${r.ok.sourceRecordId}` });
          }
        }
        await out.send(valid);
        deps.metrics.messagesOut.inc({ topic: 'identity.raw' }, valid.length);
        const rejected = results.length - valid.length;
        return reply.code(rejected === 0 ? 200 : valid.length === 0 ? 400 : 207).send({ accepted: valid.length, rejected, results });
      });
      http.delete<{ Params: { source: string; id: string } }>('/records/:source/:id', async (req, reply) => {
        if (req.params.source.includes(':')) return reply.code(400).send({ error: 'INPUT_INVALID', message: "source must not contain ':'" });
        await out.delete([{ source: req.params.source, sourceRecordId: req.params.id }]);
        return reply.code(202).send({ deleted: `${req.params.source}:${req.params.id}` });
      });
    },
  };
}
