import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the stack keeps its data and logs (scripts/stack.sh reads the same IDRES_STACK_DIR); the services' PID files and logs go under it. */
export const STACK_DIR = process.env['IDRES_STACK_DIR'] || path.join(REPO_ROOT, '.stack');
export const STACK_SCRIPT = path.join(REPO_ROOT, 'scripts', 'stack.sh');
/** The pipeline's six services, in pipeline order. */
export const SERVICE_NAMES = ['ingest', 'standardize', 'block', 'match', 'resolve', 'publish'] as const;
/** What `idres services up|down|status|build` runs: the pipeline, households, the web console and the sources service (CDC). */
export const SUPERVISED_SERVICES = [...SERVICE_NAMES, 'households', 'console', 'sources'] as const;
export type ServiceName = (typeof SUPERVISED_SERVICES)[number];
