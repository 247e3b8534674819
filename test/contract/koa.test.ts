import { describeContract } from './contract.js'
import { koaHarness } from './koa.harness.js'
import { describePeersContract } from './peers.contract.js'

describeContract(koaHarness)
describePeersContract(koaHarness)
