import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { describeHostileInputContract } from './hostile-input.contract.js'
import { describeLifecycleContract } from './lifecycle.contract.js'
import { nestFastifyHarness } from './nest.harness.js'
import { describePeersContract } from './peers.contract.js'
import { describeRouteNamesContract } from './route-names.contract.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(nestFastifyHarness)
describeErrorsContract(nestFastifyHarness)
describePeersContract(nestFastifyHarness)
describeRoutingRulesContract(nestFastifyHarness)
describeHostileInputContract(nestFastifyHarness)
describeLifecycleContract(nestFastifyHarness)
describeRouteNamesContract(nestFastifyHarness)
