import { InMemoryHouseholdStore } from '../src/index';
import { householdStoreSuite } from './householdStoreSuite';

householdStoreSuite('InMemoryHouseholdStore', async () => new InMemoryHouseholdStore());
