/**
 * The households tables. Idempotent; run at start-up by the households service and by publish (which reads
 * them), guarded by an advisory lock. `idres_household_members` and `idres_households` are what exports join on.
 */
export const HOUSEHOLD_SCHEMA_SQL = `
CREATE SEQUENCE IF NOT EXISTS idres_household_seq;
CREATE TABLE IF NOT EXISTS idres_household_identities (
  master_id    text COLLATE "C" PRIMARY KEY,
  address_key  text,
  address      jsonb  NOT NULL DEFAULT '{}'::jsonb,
  family_names text[] NOT NULL DEFAULT '{}',
  phones       text[] NOT NULL DEFAULT '{}',
  emails       text[] NOT NULL DEFAULT '{}',
  seq          bigint NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idres_household_identities_address ON idres_household_identities (address_key);
CREATE TABLE IF NOT EXISTS idres_households (
  household_id text COLLATE "C" PRIMARY KEY,
  address_key  text   NOT NULL,
  address      jsonb  NOT NULL DEFAULT '{}'::jsonb,
  members      text[] NOT NULL DEFAULT '{}',
  evidence     jsonb  NOT NULL DEFAULT '[]'::jsonb,
  size         integer NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idres_households_address ON idres_households (address_key);
CREATE TABLE IF NOT EXISTS idres_household_members (
  master_id    text COLLATE "C" PRIMARY KEY,
  household_id text COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS idres_household_members_household ON idres_household_members (household_id);
`;

/** Every table above, for resets. */
export const HOUSEHOLD_TABLES = ['idres_household_identities', 'idres_households', 'idres_household_members'] as const;
