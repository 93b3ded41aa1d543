/**
 * Prints the JSON Schema of the bridge config, generated from the zod schema (the single source of truth).
 * `npm run schema > infra/config/config.schema.json` refreshes the checked-in copy editors use for completion.
 */
import { configJsonSchema } from '../shared/domain/config/json-schema.ts';

process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
