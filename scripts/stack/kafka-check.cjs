// Kafka health check used by scripts/stack.sh: one real metadata round trip.
// usage: node kafka-check.cjs <repo-root> <host:port>
// exit 0 = healthy, 1 = not healthy, 3 = kafkajs is not installed (caller falls back to Java)
'use strict';

const [repoRoot, broker] = process.argv.slice(2);
let kafkajs;
try {
  kafkajs = require(require.resolve('kafkajs', { paths: [repoRoot] }));
} catch {
  process.exit(3);
}

const { Kafka, logLevel } = kafkajs;
// Secure mode: stack.sh passes the same variables the services read (see packages/runtime/src/transportSecurity.ts).
const fs = require('node:fs');
const env = process.env;
const ssl = env.KAFKA_SSL === 'true' ? { ca: env.KAFKA_SSL_CA_FILE ? [fs.readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8')] : undefined, rejectUnauthorized: true } : undefined;
const sasl = env.KAFKA_SASL_MECHANISM
  ? {
      mechanism: env.KAFKA_SASL_MECHANISM,
      username: env.KAFKA_SASL_USERNAME,
      password: env.KAFKA_SASL_PASSWORD_FILE ? fs.readFileSync(env.KAFKA_SASL_PASSWORD_FILE, 'utf8').trim() : env.KAFKA_SASL_PASSWORD,
    }
  : undefined;
const kafka = new Kafka({
  clientId: 'idres-stack-health',
  brokers: [broker],
  ...(ssl ? { ssl } : {}),
  ...(sasl ? { sasl } : {}),
  connectionTimeout: 1500,
  requestTimeout: 3000,
  retry: { retries: 0 },
  logLevel: logLevel.NOTHING,
});

const admin = kafka.admin();
const timer = setTimeout(() => process.exit(1), 8000);
(async () => {
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers || cluster.brokers.length === 0) throw new Error('no brokers');
    await admin.listTopics();
    await admin.disconnect();
    clearTimeout(timer);
    process.exit(0);
  } catch (err) {
    if (process.env.IDRES_STACK_DEBUG) console.error(err);
    process.exit(1);
  }
})();
