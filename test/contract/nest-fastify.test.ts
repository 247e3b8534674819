import { describeContract } from './contract.js'
import { nestFastifyHarness } from './nest.harness.js'

describeContract(nestFastifyHarness)
