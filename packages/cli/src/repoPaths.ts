import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the stack keeps its data and logs (scripts/stack.sh reads the same IDRES_STACK_DIR); the services' PID files and logs go under it. */
export const STACK_DIR = process.env['IDRES_STACK_DIR'] || path.join(REPO_ROOT, '.stack');
export const STACK_SCRIPT = path.join(REPO_ROOT, 'scripts', 'stack.sh');
export const SERVICE_NAMES = ['ingest', 'standardize', 'block', 'match', 'resolve', 'publish', 'households'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
