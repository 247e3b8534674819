import { describeContract } from './contract.js'
import { describeHostileInputContract } from './hostile-input.contract.js'
import { koaHarness } from './koa.harness.js'

describeContract(koaHarness)
describeHostileInputContract(koaHarness)
