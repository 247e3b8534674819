import { describeContract } from './contract.js'
import { fastifyHarness } from './fastify.harness.js'
import { describeLifecycleContract } from './lifecycle.contract.js'

describeContract(fastifyHarness)
describeLifecycleContract(fastifyHarness)
