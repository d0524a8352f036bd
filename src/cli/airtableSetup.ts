// `tsx src/cli/airtableSetup.ts`: create the spec's Airtable tables and fields in the base named by
// AIRTABLE_BASE_ID (AIRTABLE_API_KEY needs the schema.bases:read and schema.bases:write scopes),
// the on-call schedule's Rotations and Overrides included, their Start and End shown in
// BUSINESS_TIMEZONE (default America/New_York, as for the service).
import { describeGaps, reviewAirtableBase, setupAirtableBase } from '../../activities/airtable/schema';
import { logger } from '../observability/logger';

function requireEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) {
    logger.fatal(`${name} is not set: the Airtable setup needs AIRTABLE_API_KEY and AIRTABLE_BASE_ID`);
    process.exit(2);
  }
  return value;
}

function businessTimeZone(): string {
  const timeZone = process.env.BUSINESS_TIMEZONE?.trim() || 'America/New_York';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    logger.fatal(`BUSINESS_TIMEZONE must be an IANA time zone such as America/Chicago (got "${timeZone}")`);
    process.exit(2);
  }
  return timeZone;
}

async function main(): Promise<void> {
  const conn = {
    apiKey: requireEnv('AIRTABLE_API_KEY'),
    baseId: requireEnv('AIRTABLE_BASE_ID'),
    endpointUrl: process.env.AIRTABLE_ENDPOINT_URL?.trim() || undefined,
  };
  const created = await setupAirtableBase(conn, { timeZone: businessTimeZone() });
  logger.info({ created: describeGaps(created) }, created.length ? `created ${describeGaps(created).join(', ')}` : 'base already had every table and field');
  const { required, optional } = await reviewAirtableBase(conn);
  const stillMissing = [...required, ...optional];
  if (stillMissing.length) {
    logger.fatal({ missing: describeGaps(stillMissing) }, 'base is still missing parts of the schema');
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, `Airtable setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
