import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { fastifyHarness } from './fastify.harness.js'
import { describePeersContract } from './peers.contract.js'

describeContract(fastifyHarness)
describeErrorsContract(fastifyHarness)
describePeersContract(fastifyHarness)
