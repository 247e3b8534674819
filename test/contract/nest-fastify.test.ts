import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { nestFastifyHarness } from './nest.harness.js'

describeContract(nestFastifyHarness)
describeErrorsContract(nestFastifyHarness)
