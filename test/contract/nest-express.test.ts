import { describeContract } from './contract.js'
import { nestExpressHarness } from './nest.harness.js'
import { describePeersContract } from './peers.contract.js'

describeContract(nestExpressHarness)
describePeersContract(nestExpressHarness)
