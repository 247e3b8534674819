import { describeContract } from './contract.js'
import { describeHostileInputContract } from './hostile-input.contract.js'
import { nestFastifyHarness } from './nest.harness.js'

describeContract(nestFastifyHarness)
describeHostileInputContract(nestFastifyHarness)
