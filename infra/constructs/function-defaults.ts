import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Settings every function shares: Node.js 22 on arm64, bundled by the local esbuild package
 * (never Docker) into one minified ESM file. The AWS SDK v3 is left out (`@aws-sdk/*`) and
 * taken from the Lambda runtime, which keeps each bundle near 130 KB instead of ~1.5 MB; the
 * functions use only long-stable DynamoDB calls, so the runtime's SDK version is not a risk
 * worth that. The price, measured by `npm run bench:coldstart`: loading the SDK from its many
 * files takes longer to import than one bundled file.
 */
export const FUNCTION_DEFAULTS: Partial<NodejsFunctionProps> = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(30),
  bundling: {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    forceDockerBundling: false,
    externalModules: ['@aws-sdk/*'],
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner:
      "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  environment: { NODE_OPTIONS: '--enable-source-maps' },
};

export const LOG_RETENTION = RetentionDays.ONE_MONTH;
