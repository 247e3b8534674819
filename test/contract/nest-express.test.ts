import { describeContract } from './contract.js'
import { nestExpressHarness } from './nest.harness.js'

describeContract(nestExpressHarness)
