import { InMemoryTokenStore } from '../src/inMemoryTokenStore';
import { tokenStoreSuite } from './tokenStoreSuite';

tokenStoreSuite('InMemoryTokenStore', async () => new InMemoryTokenStore());
