import { readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** A deployed stack's outputs (TelemetryPipelineStack.addOutputs), by output key. */
export type StackOutputs = Readonly<Record<string, string>>;

/** A stack's outputs could not be read, or lack one a tool needs. */
export class StackOutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackOutputsError';
  }
}

/** The outputs of `stackName`, read with CloudFormation DescribeStacks. */
export async function describeStackOutputs(
  stackName: string,
  client = new CloudFormationClient({}),
): Promise<StackOutputs> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    if (stack === undefined) throw new StackOutputsError(`no stack ${stackName}`);
    return Object.fromEntries(
      (stack.Outputs ?? []).flatMap((o) =>
        o.OutputKey === undefined || o.OutputValue === undefined
          ? []
          : [[o.OutputKey, o.OutputValue]],
      ),
    );
  } catch (error) {
    if (error instanceof StackOutputsError) throw error;
    throw new StackOutputsError(
      `could not describe stack ${stackName}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The outputs of one stack in a file `cdk deploy --outputs-file FILE` wrote
 * (`{ "<stack name>": { "<output key>": "<value>" } }`): `stackName`'s, or the only stack's.
 */
export function readOutputsFile(file: string, stackName?: string): StackOutputs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StackOutputsError(
      `${file}: not a cdk outputs file (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StackOutputsError(`${file}: expected { "<stack name>": { outputs } }`);
  }
  const stacks = Object.keys(parsed);
  const name = stackName ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (name === undefined) {
    throw new StackOutputsError(
      `${file} holds ${stacks.length} stacks (${stacks.join(', ')}): name one with --stack or --stage`,
    );
  }
  const outputs = (parsed as Record<string, unknown>)[name];
  if (typeof outputs !== 'object' || outputs === null) {
    throw new StackOutputsError(`${file}: no stack ${name} (it holds ${stacks.join(', ')})`);
  }
  return Object.fromEntries(
    Object.entries(outputs).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** The outputs named by `keys`, or an error naming every one that is missing. */
export function requireOutputs<K extends string>(
  outputs: StackOutputs,
  keys: readonly K[],
  source: string,
): Record<K, string> {
  const missing = keys.filter((k) => outputs[k] === undefined || outputs[k] === '');
  if (missing.length > 0) {
    throw new StackOutputsError(`${source} has no output ${missing.join(', ')}`);
  }
  return Object.fromEntries(keys.map((k) => [k, outputs[k] as string])) as Record<K, string>;
}
