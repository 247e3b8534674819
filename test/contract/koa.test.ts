import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { koaHarness } from './koa.harness.js'

describeContract(koaHarness)
describeErrorsContract(koaHarness)
