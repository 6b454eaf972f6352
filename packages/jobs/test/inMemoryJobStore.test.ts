import { InMemoryJobStore } from '../src/inMemoryJobStore';
import { jobStoreSuite } from './jobStoreSuite';

jobStoreSuite('InMemoryJobStore', async () => new InMemoryJobStore());
