import { describeContract } from './contract.js'
import { koaHarness } from './koa.harness.js'

describeContract(koaHarness)
