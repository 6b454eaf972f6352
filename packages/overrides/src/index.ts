export * from './overrideStore';
export * from './inMemoryOverrideStore';
export * from './pgOverrideStore';
export * from './overrideDesk';
