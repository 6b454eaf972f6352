export * from './modelStore';
export * from './inMemoryModelStore';
export * from './pgModelStore';
export * from './activeModel';
export * from './serviceModel';
