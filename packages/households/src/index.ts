export * from './householdStore';
export { InMemoryHouseholdStore } from './inMemoryHouseholdStore';
export { PgHouseholdStore } from './pgHouseholdStore';
export { planHouseholds } from './planHouseholds';
export { HOUSEHOLD_SCHEMA_SQL, HOUSEHOLD_TABLES } from './schema';
