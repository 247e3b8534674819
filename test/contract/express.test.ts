import { describeContract } from './contract.js'
import { expressHarness } from './express.harness.js'
import { describePeersContract } from './peers.contract.js'

describeContract(expressHarness)
describePeersContract(expressHarness)
