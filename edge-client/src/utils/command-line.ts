import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * `node:util`'s `parseArgs` for the project's command-line tools: a malformed command line (an
 * unknown flag, a missing value, a value that reads as a flag such as `--stores -1`) ends the
 * process with one line naming what is wrong, the tool's usage, and exit code 2, instead of a
 * stack trace.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (
      error instanceof TypeError &&
      String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`${error.message}\n\n${usage}\n`);
      process.exit(2);
    }
    throw error;
  }
}
