import { describeContract } from './contract.js'
import { nestFastifyHarness } from './nest.harness.js'
import { describePeersContract } from './peers.contract.js'

describeContract(nestFastifyHarness)
describePeersContract(nestFastifyHarness)
