import { describeContract } from './contract.js'
import { expressHarness } from './express.harness.js'
import { describeHostileInputContract } from './hostile-input.contract.js'

describeContract(expressHarness)
describeHostileInputContract(expressHarness)
