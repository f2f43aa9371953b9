import type { MotiaModule, RuntimeServices } from '../../runtime/module'
import { PYTHON_POOL_KEY } from '../queue/runner'
import { PythonSteps, type PythonStepsOptions } from './python-steps'

/** What tests get from `shared.get('python')`. */
export interface PythonModuleApi {
  steps: PythonSteps
}

export const PYTHON_KEY = 'python'

/**
 * Python steps (`*_step.py`, `*.step.py`): loaded by python processes the engine starts
 * (python-steps.ts), served like TS steps. HTTP triggers reach them through the step's handler;
 * background triggers through the queue runner, which picks this pool for `.py` files, so
 * retries, FIFO groups, dead letters and leases are the TS ones.
 */
export function pythonModule(options: PythonStepsOptions = {}): MotiaModule {
  const steps = new PythonSteps(options)
  let rt: RuntimeServices
  const attach = () => {
    if (steps.pool) steps.pool.engine = rt.engine
    if (steps.pool) rt.shared.set(PYTHON_POOL_KEY, steps.pool)
    else rt.shared.delete(PYTHON_POOL_KEY)
  }
  return {
    name: 'python',
    dependsOn: ['queue'],
    stepSource: steps,
    setup(services) {
      rt = services
      rt.shared.set(PYTHON_KEY, { steps } satisfies PythonModuleApi)
      attach()
    },
    projectChanged() {
      // A reload may have started the pool (the first Python file) or stopped it (the last removed).
      attach()
    },
    async stop() {
      await steps.close()
    },
  }
}
