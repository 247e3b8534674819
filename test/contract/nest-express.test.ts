import { describeContract } from './contract.js'
import { describeLifecycleContract } from './lifecycle.contract.js'
import { nestExpressHarness } from './nest.harness.js'

describeContract(nestExpressHarness)
describeLifecycleContract(nestExpressHarness)
