import { describeContract } from './contract.js'
import { nestExpressHarness } from './nest.harness.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(nestExpressHarness)
describeRoutingRulesContract(nestExpressHarness)
