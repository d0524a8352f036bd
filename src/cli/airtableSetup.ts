// `tsx src/cli/airtableSetup.ts`: create the spec's Airtable tables and fields in the base named by
// AIRTABLE_BASE_ID (AIRTABLE_API_KEY needs the schema.bases:read and schema.bases:write scopes).
import { checkAirtableBase, describeGaps, setupAirtableBase } from '../../activities/airtable/schema';
import { logger } from '../observability/logger';

function requireEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) {
    logger.fatal(`${name} is not set: the Airtable setup needs AIRTABLE_API_KEY and AIRTABLE_BASE_ID`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const conn = {
    apiKey: requireEnv('AIRTABLE_API_KEY'),
    baseId: requireEnv('AIRTABLE_BASE_ID'),
    endpointUrl: process.env.AIRTABLE_ENDPOINT_URL?.trim() || undefined,
  };
  const created = await setupAirtableBase(conn);
  logger.info({ created: describeGaps(created) }, created.length ? `created ${describeGaps(created).join(', ')}` : 'base already had every table and field');
  const stillMissing = await checkAirtableBase(conn);
  if (stillMissing.length) {
    logger.fatal({ missing: describeGaps(stillMissing) }, 'base is still missing parts of the schema');
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, `Airtable setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
