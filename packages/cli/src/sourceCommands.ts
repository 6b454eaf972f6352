import pg from 'pg';
import { createKafka, createLogger } from '@idres/runtime';
import {
  ConnectClient, PgSourceStore, SourceDatabase, SourceError, addSource, formatStatus, redactUrl, removeSource, sourceStatus,
  type SourceStatusReport,
} from '@idres/sources';
import { CliError } from './cliError';

export interface SourceCliEnv {
  databaseUrl: string;
  connectUrl: string;
  kafkaBrokers: string;
  partitions: number;
}

export interface SourceAddArgs {
  name: string;
  connector: string;
  table: string;
  idColumn: string;
  map: Record<string, string>;
  /** postgres://user:password@host:port/db of the source (as the Connect worker reaches it). */
  sourceUrl: string;
}

/** SourceErrors become CLI errors with the same code and message (exit codes as the other commands). */
async function cli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SourceError) {
      const code = err.code === 'CONNECT_UNAVAILABLE' || err.code === 'SOURCE_DB_UNAVAILABLE' ? 'STACK_UNAVAILABLE' : 'INPUT_INVALID';
      throw new CliError(code, `${err.code}: ${err.message}`);
    }
    throw err;
  }
}

async function withStore<T>(databaseUrl: string, fn: (store: PgSourceStore) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => undefined);
  try {
    return await fn(new PgSourceStore(pool));
  } finally {
    await pool.end();
  }
}

function parseSourceUrl(url: string): { host: string; port: number; dbname: string; user: string; password: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError('USAGE', '--database-url must be a postgres://user:password@host:port/db URL');
  }
  if (!/^postgres(ql)?:$/.test(u.protocol) || !u.pathname.slice(1)) throw new CliError('USAGE', `--database-url must be a postgres://user:password@host:port/db URL, got ${redactUrl(url)}`);
  return { host: u.hostname, port: Number(u.port || 5432), dbname: decodeURIComponent(u.pathname.slice(1)), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

export async function sourceAdd(a: SourceAddArgs, env: SourceCliEnv, log: (m: string) => void): Promise<void> {
  if (a.connector !== 'postgres') throw new CliError('USAGE', `--connector ${a.connector} is not supported (supported: postgres)`);
  const database = parseSourceUrl(a.sourceUrl);
  const kafka = createKafka({ clientId: 'idres-cli', brokers: env.kafkaBrokers.split(','), logger: createLogger('idres-cli', 'fatal'), retries: 3 });
  const admin = kafka.admin();
  await cli(() => withStore(env.databaseUrl, async (store) => {
    try {
      await admin.connect();
    } catch (err) {
      throw new CliError('STACK_UNAVAILABLE', `cannot reach Kafka at ${env.kafkaBrokers}: ${(err as Error).message}`);
    }
    try {
      const def = await addSource(
        { name: a.name, connector: 'postgres', table: a.table, idColumn: a.idColumn, map: a.map, database, partitions: env.partitions },
        {
          store, connect: new ConnectClient(env.connectUrl), db: new SourceDatabase(a.sourceUrl), log,
          createTopic: async (topic, partitions) => {
            await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
          },
        },
      );
      log(`source ${def.name} follows ${def.table} (topic ${def.topic}); the sources service applies it (idres services up starts it), watch it with: idres source status ${def.name}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }));
}

export async function sourceList(env: SourceCliEnv): Promise<string> {
  return cli(() => withStore(env.databaseUrl, async (store) => {
    const defs = await store.list();
    if (defs.length === 0) return 'no sources (idres source add NAME --connector postgres --table T --id-column C --map ...)\n';
    return defs.map((d) => `${d.name.padEnd(16)} ${d.connector}  ${d.table} (id ${d.idColumn})  ${Object.entries(d.map).map(([f, c]) => `${f}=${c}`).join(',')}`).join('\n') + '\n';
  }));
}

/** The status of one source (or all); `sourceUrl` lets idres read the slot and row estimate. */
export async function sourceStatusReports(name: string | undefined, env: SourceCliEnv, sourceUrl: string | undefined): Promise<SourceStatusReport[]> {
  return cli(() => withStore(env.databaseUrl, async (store) => {
    const defs = name ? [await store.get(name)] : await store.list();
    if (name && !defs[0]) throw new SourceError('SOURCE_UNKNOWN', `no source named ${name} (idres source list)`);
    const connect = new ConnectClient(env.connectUrl);
    const out: SourceStatusReport[] = [];
    for (const def of defs) if (def) out.push(await sourceStatus(def, { store, connect, db: sourceUrl ? new SourceDatabase(sourceUrl) : undefined }));
    return out;
  }));
}

export { formatStatus };

export async function sourceRemove(name: string, env: SourceCliEnv, sourceUrl: string): Promise<void> {
  const kafka = createKafka({ clientId: 'idres-cli', brokers: env.kafkaBrokers.split(','), logger: createLogger('idres-cli', 'fatal'), retries: 3 });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await cli(() => withStore(env.databaseUrl, (store) => removeSource(name, {
      store, connect: new ConnectClient(env.connectUrl), db: new SourceDatabase(sourceUrl), log: () => undefined,
      deleteTopic: async (topic) => { await admin.deleteTopics({ topics: [topic] }).catch(() => undefined); },
    })));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
