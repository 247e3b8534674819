import { describeContract } from './contract.js'
import { koaHarness } from './koa.harness.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(koaHarness)
describeRoutingRulesContract(koaHarness)
