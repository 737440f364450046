import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeStackOutputs,
  readOutputsFile,
  requireOutputs,
  StackOutputsError,
} from '../../infra/tools/stack-outputs.js';

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/**
 * A stand-in for CloudFormation's DescribeStacks over its own wire protocol (the query
 * protocol: a form-encoded POST, an XML answer): one stack, and a ValidationError for others.
 */
function describeStacksServer(): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      res.setHeader('content-type', 'text/xml');
      if (
        form.get('Action') !== 'DescribeStacks' ||
        form.get('StackName') !== 'StoreFloorImpact-dev'
      ) {
        res.statusCode = 400;
        res.end(
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${form.get('StackName')} does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
        );
        return;
      }
      const outputs = [
        ['StreamName', 'StoreFloorImpact-dev-Stream'],
        ['ApiUrl', 'https://d111.cloudfront.net'],
        ['RegistryTable', 'StoreFloorImpact-dev-Registry'],
      ]
        .map(
          ([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`,
        )
        .join('');
      res.end(
        `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks><member><StackName>StoreFloorImpact-dev</StackName><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/StoreFloorImpact-dev/1</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
}

let server: Server;
let client: CloudFormationClient;
let dir: string;

beforeAll(async () => {
  server = describeStacksServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new CloudFormationClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  dir = mkdtempSync(join(tmpdir(), 'sfi-outputs-'));
});
afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('Function: describeStackOutputs', () => {
  it("reads a stack's outputs with DescribeStacks", async () => {
    const outputs = await describeStackOutputs('StoreFloorImpact-dev', client);
    expect(outputs).toEqual({
      StreamName: 'StoreFloorImpact-dev-Stream',
      ApiUrl: 'https://d111.cloudfront.net',
      RegistryTable: 'StoreFloorImpact-dev-Registry',
    });
  });

  it('names the stack and the reason CloudFormation gave when it cannot', async () => {
    await expect(describeStackOutputs('StoreFloorImpact-prod', client)).rejects.toThrow(
      /could not describe stack StoreFloorImpact-prod: Stack with id StoreFloorImpact-prod does not exist/,
    );
  });
});

describe('Function: readOutputsFile', () => {
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('reads the only stack of a cdk outputs file, or the one named', () => {
    const one = file('one.json', { 'StoreFloorImpact-dev': { StreamName: 's', ApiUrl: 'a' } });
    expect(readOutputsFile(one)).toEqual({ StreamName: 's', ApiUrl: 'a' });
    const two = file('two.json', {
      'StoreFloorImpact-dev': { StreamName: 'dev' },
      'StoreFloorImpact-prod': { StreamName: 'prod' },
    });
    expect(readOutputsFile(two, 'StoreFloorImpact-prod')).toEqual({ StreamName: 'prod' });
    expect(() => readOutputsFile(two)).toThrow(/holds 2 stacks .*name one with --stack or --stage/);
    expect(() => readOutputsFile(two, 'Other')).toThrow(/no stack Other/);
  });

  it('refuses a file that is not an outputs file, with its name', () => {
    expect(() => readOutputsFile(file('bad.json', 'not json'))).toThrow(StackOutputsError);
    expect(() => readOutputsFile(file('list.json', [1]))).toThrow(/list.json: expected/);
  });
});

describe('Function: requireOutputs', () => {
  it('names every output a stack lacks', () => {
    expect(() =>
      requireOutputs({ StreamName: 's' }, ['StreamName', 'ApiUrl', 'RegistryTable'], 'stack X'),
    ).toThrow('stack X has no output ApiUrl, RegistryTable');
    expect(requireOutputs({ StreamName: 's', Other: 'o' }, ['StreamName'], 'x')).toEqual({
      StreamName: 's',
    });
  });
});
