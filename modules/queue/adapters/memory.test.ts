import { queueAdapterSuite } from '../adapter.suite'
import { MemoryQueueAdapter } from './memory'

queueAdapterSuite('memory', (clock) => new MemoryQueueAdapter({ now: clock.now }))
