import type * as z from 'zod';
import { invalidParameters } from '#shared/problem';

/** Parses request parameters or throws a 400 problem that names each bad parameter. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw invalidParameters(
    result.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((name) => ({ name, reason: 'unknown parameter' }));
      }
      const name = issue.path.length > 0 ? issue.path.map(String).join('.') : '(request)';
      return [{ name, reason: issue.message }];
    }),
  );
}
