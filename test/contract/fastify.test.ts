import { describeContract } from './contract.js'
import { fastifyHarness } from './fastify.harness.js'

describeContract(fastifyHarness)
