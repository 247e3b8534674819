import { describeContract } from './contract.js'
import { expressHarness } from './express.harness.js'

describeContract(expressHarness)
