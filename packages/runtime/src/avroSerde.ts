import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import avro from 'avsc';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { IdresRuntimeError } from './errors';
import { registerSchema } from './schemaRegistration';
import type { TopicSpec } from './topics';

export const SCHEMAS_DIR = fileURLToPath(new URL('../../../schemas/', import.meta.url));

/** Reads every .avsc in the schemas folder, by file name without extension. */
export function loadSchemaFiles(dir: string = SCHEMAS_DIR): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.avsc')) continue;
    out.set(path.basename(file, '.avsc'), readFileSync(path.join(dir, file), 'utf8'));
  }
  return out;
}

const MAGIC = 0;

/**
 * Avro in the Confluent wire format (magic byte, 4-byte schema ID, Avro binary), with schemas registered in a
 * Confluent-compatible registry under TopicNameStrategy subjects (`<topic>-key`, `<topic>-value`).
 * Encoding is synchronous with avsc after registration; decoding fetches an unknown writer schema once by ID and
 * resolves it against our reader schema, so producers on an older or newer compatible schema still decode.
 */
export class AvroSerde {
  private readonly readerTypes = new Map<string, avro.Type>();
  private readonly subjectIds = new Map<string, number>();
  private readonly subjectTypes = new Map<string, avro.Type>();
  private readonly writerTypes = new Map<number, avro.Type>();
  private readonly resolvers = new Map<string, avro.Resolver>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly schemaFiles: Map<string, string> = loadSchemaFiles(),
    /** Registers schema text under a subject and returns its ID (see schemaRegistration.ts). */
    private readonly register: (subject: string, schema: string) => Promise<number>,
  ) {
    for (const [name, json] of schemaFiles) {
      this.readerTypes.set(name, avro.Type.forSchema(JSON.parse(json) as avro.Schema));
    }
  }

  static connect(url: string, schemaFiles?: Map<string, string>): AvroSerde {
    return new AvroSerde(new SchemaRegistry({ host: url, retry: { retries: 5 } }), schemaFiles ?? loadSchemaFiles(), (subject, schema) =>
      registerSchema({ url, subject, schema, compatibility: 'BACKWARD' }),
    );
  }

  readerType(schemaName: string): avro.Type {
    const t = this.readerTypes.get(schemaName);
    if (!t) throw new IdresRuntimeError('SCHEMA_NOT_FOUND', `no schema file ${schemaName}.avsc`);
    return t;
  }

  /** Registers the key and value schema of each topic; idempotent (the registry returns the existing ID). */
  async registerTopics(specs: readonly TopicSpec[]): Promise<void> {
    for (const spec of specs) {
      await this.registerSubject(`${spec.name}-key`, spec.keySchema);
      await this.registerSubject(`${spec.name}-value`, spec.valueSchema);
    }
  }

  async registerSubject(subject: string, schemaName: string): Promise<number> {
    const json = this.schemaFiles.get(schemaName);
    if (json === undefined) throw new IdresRuntimeError('SCHEMA_NOT_FOUND', `no schema file ${schemaName}.avsc`);
    const id = await this.register(subject, json);
    this.subjectIds.set(subject, id);
    this.subjectTypes.set(subject, this.readerType(schemaName));
    this.writerTypes.set(id, this.readerType(schemaName));
    return id;
  }

  encode(subject: string, value: unknown): Buffer {
    const type = this.subjectTypes.get(subject);
    if (type === undefined) throw new IdresRuntimeError('SCHEMA_NOT_FOUND', `subject ${subject} is not registered by this process`);
    return this.wrapBody(subject, this.toBody(type, value, subject));
  }

  /** Avro binary of `value` in schema `schemaName`, without the wire header (an item of a packed message). */
  encodeBody(schemaName: string, value: unknown, topic: string): Buffer {
    return this.toBody(this.readerType(schemaName), value, `an item of ${topic}`);
  }

  /** Prefixes Avro binary with the wire header of `subject`'s registered schema. */
  wrapBody(subject: string, body: Buffer): Buffer {
    const id = this.subjectIds.get(subject);
    if (id === undefined) throw new IdresRuntimeError('SCHEMA_NOT_FOUND', `subject ${subject} is not registered by this process`);
    const out = Buffer.allocUnsafe(5 + body.length);
    out.writeUInt8(MAGIC, 0);
    out.writeInt32BE(id, 1);
    body.copy(out, 5);
    return out;
  }

  private toBody(type: avro.Type, value: unknown, what: string): Buffer {
    try {
      return type.toBuffer(value);
    } catch {
      // avsc's own message quotes the offending value (personal data): name the fields instead.
      const paths: string[] = [];
      type.isValid(value, { errorHook: (path) => { if (paths.length < 5) paths.push(path.join('.') || '(root)'); } });
      throw new IdresRuntimeError('VALIDATION_FAILED', `value for ${what} does not fit its schema at ${paths.join(', ') || 'an unknown field'}`);
    }
  }

  encodeKey(topic: string, value: unknown): Buffer {
    return this.encode(`${topic}-key`, value);
  }

  encodeValue(topic: string, value: unknown): Buffer {
    return this.encode(`${topic}-value`, value);
  }

  /** Decodes a wire-format buffer into the shape of our reader schema `schemaName`. Throws DECODE_FAILED (not retriable) on bad bytes. */
  async decode<T>(buf: Buffer, schemaName: string): Promise<T> {
    if (buf.length < 5 || buf.readUInt8(0) !== MAGIC) {
      throw new IdresRuntimeError('DECODE_FAILED', 'not in Confluent wire format (missing magic byte 0 and schema ID)');
    }
    const id = buf.readInt32BE(1);
    const writer = await this.writerType(id);
    const reader = this.readerType(schemaName);
    try {
      if (writer === reader) return reader.fromBuffer(buf.subarray(5)) as T;
      const rk = `${id}:${schemaName}`;
      let resolver = this.resolvers.get(rk);
      if (!resolver) {
        resolver = reader.createResolver(writer);
        this.resolvers.set(rk, resolver);
      }
      return reader.fromBuffer(buf.subarray(5), resolver) as T;
    } catch (err) {
      throw new IdresRuntimeError('DECODE_FAILED', `Avro decode with schema ${id} as ${schemaName} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private async writerType(id: number): Promise<avro.Type> {
    const cached = this.writerTypes.get(id);
    if (cached) return cached;
    let schema: unknown;
    try {
      schema = await this.registry.getSchema(id);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404) throw new IdresRuntimeError('DECODE_FAILED', `schema ID ${id} is unknown to the registry`, { cause: err });
      throw new IdresRuntimeError('SCHEMA_NOT_FOUND', `schema registry lookup of ID ${id} failed: ${(err as Error).message}`, { retriable: true, cause: err });
    }
    // getSchema returns an avsc Type for Avro schemas.
    const type = schema instanceof avro.Type ? schema : avro.Type.forSchema(schema as avro.Schema);
    this.writerTypes.set(id, type);
    return type;
  }
}
