import { describeContract } from './contract.js'
import { koaHarness } from './koa.harness.js'
import { describeLifecycleContract } from './lifecycle.contract.js'

describeContract(koaHarness)
describeLifecycleContract(koaHarness)
