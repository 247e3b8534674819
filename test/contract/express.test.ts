import { describeContract } from './contract.js'
import { expressHarness } from './express.harness.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(expressHarness)
describeRoutingRulesContract(expressHarness)
