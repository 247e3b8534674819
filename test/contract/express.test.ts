import { describeContract } from './contract.js'
import { expressHarness } from './express.harness.js'
import { describeLifecycleContract } from './lifecycle.contract.js'

describeContract(expressHarness)
describeLifecycleContract(expressHarness)
