import { mkdirSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import { installLevelDbReadFix } from './leveldb-read-fix.js';

export interface EmulatorOptions {
  /** Folder for the emulators' LevelDB data; data survives restarts. */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly kinesisPort: number;
  readonly dynamodbPort: number;
  readonly host?: string;
}

export interface Emulators {
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts the in-process emulators that speak the real AWS wire protocols: kinesalite for
 * Kinesis, dynalite for DynamoDB, both persisting to LevelDB under `dataDir`.
 */
export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const host = options.host ?? '127.0.0.1';
  const kinesisPath = join(options.dataDir, 'kinesis');
  const dynamodbPath = join(options.dataDir, 'dynamodb');
  mkdirSync(kinesisPath, { recursive: true });
  mkdirSync(dynamodbPath, { recursive: true });
  // Stream and table creation is instant here; AWS takes seconds (callers still wait for ACTIVE).
  const kinesis = kinesalite({
    path: kinesisPath,
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 50,
  }) as Server;
  installLevelDbReadFix();
  const dynamodb = dynalite({
    path: dynamodbPath,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  }) as Server;
  const kinesisPort = await listen(kinesis, options.kinesisPort, host);
  let dynamodbPort: number;
  try {
    dynamodbPort = await listen(dynamodb, options.dynamodbPort, host);
  } catch (error) {
    await close(kinesis);
    throw error;
  }
  return {
    kinesisEndpoint: `http://${host}:${kinesisPort}`,
    dynamodbEndpoint: `http://${host}:${dynamodbPort}`,
    close: async () => {
      await Promise.all([close(kinesis), close(dynamodb)]);
    },
  };
}
