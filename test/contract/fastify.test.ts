import { describeContract } from './contract.js'
import { fastifyHarness } from './fastify.harness.js'
import { describePeersContract } from './peers.contract.js'

describeContract(fastifyHarness)
describePeersContract(fastifyHarness)
