import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { expressHarness } from './express.harness.js'
import { describePeersContract } from './peers.contract.js'

describeContract(expressHarness)
describeErrorsContract(expressHarness)
describePeersContract(expressHarness)
