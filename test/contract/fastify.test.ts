import { describeContract } from './contract.js'
import { fastifyHarness } from './fastify.harness.js'
import { describeHostileInputContract } from './hostile-input.contract.js'

describeContract(fastifyHarness)
describeHostileInputContract(fastifyHarness)
