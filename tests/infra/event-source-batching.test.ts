import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLEET_BATCHING, PROCESSOR_EVENT_SOURCE } from '../../functions/processor/event-source.js';
import { batchingFromContext, STAGE_CONFIG } from '../../infra/cdk/stage-config.js';
import { TelemetryPipelineStack } from '../../infra/cdk/telemetry-pipeline-stack.js';

const mappingOf = (stack: TelemetryPipelineStack) => {
  const mappings = Object.values(
    Template.fromStack(stack).findResources('AWS::Lambda::EventSourceMapping'),
  ) as { Properties: Record<string, unknown> }[];
  expect(mappings).toHaveLength(1);
  return mappings[0]?.Properties ?? {};
};

// Two syntheses (each bundles the functions), shared by the tests below.
let dev: Record<string, unknown>;
let prod: Record<string, unknown>;
beforeAll(() => {
  dev = mappingOf(new TelemetryPipelineStack(new App(), 'Dev', { stage: STAGE_CONFIG.dev }));
  prod = mappingOf(new TelemetryPipelineStack(new App(), 'Prod', { stage: STAGE_CONFIG.prod }));
}, 240_000);

describe('Stack: the event source batching of each stage', () => {
  it('batches 10,000 records or 60 s in prod, and 5,000 or 5 s in dev', () => {
    expect(FLEET_BATCHING).toEqual({ batchSize: 10_000, maxBatchingWindowMs: 60_000 });
    expect(prod).toMatchObject({ BatchSize: 10_000, MaximumBatchingWindowInSeconds: 60 });
    expect(dev).toMatchObject({
      BatchSize: PROCESSOR_EVENT_SOURCE.batchSize,
      MaximumBatchingWindowInSeconds: PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs / 1_000,
    });
  });

  it('keeps every other setting of the mapping the same in both stages', () => {
    const rest = (p: Record<string, unknown>) => {
      const { BatchSize: _, MaximumBatchingWindowInSeconds: __, ...others } = p;
      return JSON.stringify(others);
    };
    expect(rest(prod)).toBe(rest(dev));
    expect(prod).toMatchObject({
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ParallelizationFactor: 1,
      StartingPosition: 'TRIM_HORIZON',
    });
  });
});

describe('Function: batchingFromContext', () => {
  it("takes the stage's batching, or the context's batchSize and batchWindowSeconds", () => {
    const get = (context: Record<string, unknown>) => (name: string) => context[name];
    expect(batchingFromContext(STAGE_CONFIG.prod, get({}))).toEqual(FLEET_BATCHING);
    expect(batchingFromContext(STAGE_CONFIG.dev, get({ batchWindowSeconds: '60' }))).toEqual({
      batchSize: PROCESSOR_EVENT_SOURCE.batchSize,
      maxBatchingWindowMs: 60_000,
    });
    expect(
      batchingFromContext(STAGE_CONFIG.prod, get({ batchSize: '2000', batchWindowSeconds: '0' })),
    ).toEqual({ batchSize: 2_000, maxBatchingWindowMs: 0 });
  });

  it('refuses a value outside what Lambda allows, naming the option', () => {
    const at = (context: Record<string, unknown>) => () =>
      batchingFromContext(STAGE_CONFIG.prod, (name) => context[name]);
    expect(at({ batchWindowSeconds: '301' })).toThrow(/"batchWindowSeconds" must be .* 0 to 300/);
    expect(at({ batchSize: '10001' })).toThrow(/"batchSize" must be .* 1 to 10000/);
    expect(at({ batchSize: 'many' })).toThrow(/"batchSize"/);
    expect(at({ batchWindowSeconds: '1.5' })).toThrow(/"batchWindowSeconds"/);
  });
});
