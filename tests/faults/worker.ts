/**
 * Runs one fault scenario in this process and prints its result as the last line. A process
 * per scenario: the handlers read their endpoints once, as in Lambda, so each fresh embedded
 * stack needs a fresh process.
 */
import { runScenario } from './harness.js';
import { scenarios } from './scenarios.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const [index = '0', scale = '1'] = process.argv.slice(2);
const scenario = scenarios(Number(scale))[Number(index)];
if (scenario === undefined) throw new Error(`no scenario ${index}`);
const result = await runScenario(scenario, Number(index) + 1);
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
