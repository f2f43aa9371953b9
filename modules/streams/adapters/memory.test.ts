import { streamAdapterSuite } from '../adapter.suite'
import { MemoryStreamAdapter } from './memory'

streamAdapterSuite('memory', () => ({ adapter: new MemoryStreamAdapter() }))
