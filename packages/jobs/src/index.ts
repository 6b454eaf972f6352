export * from './job';
export * from './jobId';
export * from './jobStore';
export * from './inMemoryJobStore';
export * from './pgJobStore';
