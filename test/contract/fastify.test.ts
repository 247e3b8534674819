import { describeContract } from './contract.js'
import { fastifyHarness } from './fastify.harness.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(fastifyHarness)
describeRoutingRulesContract(fastifyHarness)
