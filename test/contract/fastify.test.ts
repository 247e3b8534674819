import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { fastifyHarness } from './fastify.harness.js'
import { describeHostileInputContract } from './hostile-input.contract.js'
import { describeLifecycleContract } from './lifecycle.contract.js'
import { describePeersContract } from './peers.contract.js'
import { describeRouteNamesContract } from './route-names.contract.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(fastifyHarness)
describeErrorsContract(fastifyHarness)
describePeersContract(fastifyHarness)
describeRoutingRulesContract(fastifyHarness)
describeHostileInputContract(fastifyHarness)
describeLifecycleContract(fastifyHarness)
describeRouteNamesContract(fastifyHarness)
