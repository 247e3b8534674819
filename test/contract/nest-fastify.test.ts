import { describeContract } from './contract.js'
import { nestFastifyHarness } from './nest.harness.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(nestFastifyHarness)
describeRoutingRulesContract(nestFastifyHarness)
