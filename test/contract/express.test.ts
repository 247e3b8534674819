import { describeContract } from './contract.js'
import { describeErrorsContract } from './errors.contract.js'
import { expressHarness } from './express.harness.js'

describeContract(expressHarness)
describeErrorsContract(expressHarness)
