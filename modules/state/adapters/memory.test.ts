import { stateAdapterSuite } from '../adapter.suite'
import { MemoryStateAdapter } from './memory'

stateAdapterSuite('memory', () => new MemoryStateAdapter())
