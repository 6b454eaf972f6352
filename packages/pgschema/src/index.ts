export { createSchema, schemaOnce } from './schemaOnce';
