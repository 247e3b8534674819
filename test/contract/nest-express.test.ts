import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { nestExpressHarness } from './nest.harness.js'

describeContract(nestExpressHarness)
describeErrorsContract(nestExpressHarness)
