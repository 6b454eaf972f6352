import { InMemoryOverrideStore } from '../src/index';
import { overrideStoreSuite } from './overrideStoreSuite';

overrideStoreSuite('InMemoryOverrideStore', async () => new InMemoryOverrideStore());
