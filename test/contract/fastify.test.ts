import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { fastifyHarness } from './fastify.harness.js'

describeContract(fastifyHarness)
describeErrorsContract(fastifyHarness)
