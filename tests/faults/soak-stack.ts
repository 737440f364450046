/**
 * The soak's stack process: the embedded stack (event source, processor, API) against
 * emulators running elsewhere. Prints one JSON line when ready (API URL, a leadership token),
 * then one line a second with its iterator age; stops on SIGTERM.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedStack } from '../../infra/local/embedded-stack.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const [kinesisEndpoint = '', dynamodbEndpoint = ''] = process.argv.slice(2);
const stack = await startEmbeddedStack({
  dataDir: mkdtempSync(join(tmpdir(), 'sfi-soak-stack-')),
  ports: { api: 0, kinesis: 0, dynamodb: 0 },
  apiThrottle: { rateLimit: 10_000, burstLimit: 10_000 },
  eventSource: { maxBatchingWindowMs: 200, pollIntervalMs: 100 },
  externalEmulators: { kinesisEndpoint, dynamodbEndpoint },
});
const token = await stack.issuer.sign({ sub: 'soak', 'custom:role': 'leadership' }, 7_200);
console.log(JSON.stringify({ apiUrl: stack.apiUrl, token }));
const timer = setInterval(
  () => console.log(JSON.stringify({ iteratorAgeMs: stack.iteratorAgeMs() })),
  1_000,
);
process.on('SIGTERM', async () => {
  clearInterval(timer);
  await stack.stop();
  process.exit(0);
});
