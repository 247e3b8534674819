import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { expressHarness } from './express.harness.js'
import { describeHostileInputContract } from './hostile-input.contract.js'
import { describeLifecycleContract } from './lifecycle.contract.js'
import { describePeersContract } from './peers.contract.js'
import { describeRouteNamesContract } from './route-names.contract.js'
import { describeRoutingRulesContract } from './routing-rules.contract.js'

describeContract(expressHarness)
describeErrorsContract(expressHarness)
describePeersContract(expressHarness)
describeRoutingRulesContract(expressHarness)
describeHostileInputContract(expressHarness)
describeLifecycleContract(expressHarness)
describeRouteNamesContract(expressHarness)
