import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { describeHostileInputContract } from './hostile-input.contract.js'
import { describeLifecycleContract } from './lifecycle.contract.js'
import { nestExpressHarness } from './nest.harness.js'
import { describePeersContract } from './peers.contract.js'
import { describeRouteNamesContract } from './route-names.contract.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(nestExpressHarness)
describeErrorsContract(nestExpressHarness)
describePeersContract(nestExpressHarness)
describeRoutingRulesContract(nestExpressHarness)
describeHostileInputContract(nestExpressHarness)
describeLifecycleContract(nestExpressHarness)
describeRouteNamesContract(nestExpressHarness)
