import * as z from 'zod';
import { bridgeConfigSchema } from './schema.ts';

/** JSON Schema (draft 2020-12) of the config as an admin writes it (defaults optional). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(bridgeConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Backtrace-Jira bridge config',
    description: 'One JSON document; see README.md "Config reference". Secrets are referenced by name, never inlined.',
  };
}
