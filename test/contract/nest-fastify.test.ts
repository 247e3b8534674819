import { describeContract } from './contract.js'
import { describeLifecycleContract } from './lifecycle.contract.js'
import { nestFastifyHarness } from './nest.harness.js'

describeContract(nestFastifyHarness)
describeLifecycleContract(nestFastifyHarness)
