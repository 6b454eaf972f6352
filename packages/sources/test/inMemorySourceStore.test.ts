import { InMemorySourceStore } from '../src/inMemorySourceStore';
import { sourceStoreSuite } from './sourceStoreSuite';

sourceStoreSuite('InMemorySourceStore', async () => new InMemorySourceStore());
