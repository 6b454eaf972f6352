import pg from 'pg';
import { readBaseConfig } from '@idres/runtime';
import { PgTokenStore } from '@idres/auth';

/**
 * A PgTokenStore in its own schema (idres_auth_test) of the real Postgres, emptied: tests never touch the tokens
 * a developer or the demo created in the public schema.
 */
export async function testTokenStore(): Promise<{ store: PgTokenStore; pool: pg.Pool }> {
  const url = readBaseConfig(process.env, 'test').databaseUrl;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query('CREATE SCHEMA IF NOT EXISTS idres_auth_test');
  await admin.query('DROP TABLE IF EXISTS idres_auth_test.idres_api_tokens');
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 2, options: '-c search_path=idres_auth_test' });
  return { store: new PgTokenStore(pool), pool };
}
