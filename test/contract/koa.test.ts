import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { describeHostileInputContract } from './hostile-input.contract.js'
import { koaHarness } from './koa.harness.js'
import { describeLifecycleContract } from './lifecycle.contract.js'
import { describePeersContract } from './peers.contract.js'
import { describeRouteNamesContract } from './route-names.contract.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(koaHarness)
describeErrorsContract(koaHarness)
describePeersContract(koaHarness)
describeRoutingRulesContract(koaHarness)
describeHostileInputContract(koaHarness)
describeLifecycleContract(koaHarness)
describeRouteNamesContract(koaHarness)
