import { describeContract } from './contract.js'
import { describeHostileInputContract } from './hostile-input.contract.js'
import { nestExpressHarness } from './nest.harness.js'

describeContract(nestExpressHarness)
describeHostileInputContract(nestExpressHarness)
