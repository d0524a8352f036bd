// `npm run api`: the HTTP API alone, against the cluster named by TEMPORAL_ADDRESS.
import { ConfigError, loadConfigOrExit, apiRequirements } from './config';
import { logger } from './observability/logger';
import { startApi } from './roles/api';
import { onShutdown } from './roles/lifecycle';
import { connectClient } from './temporal/connection';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const { address, twilio, dispatchApiKey } = apiRequirements(config);
  const client = await connectClient(config.temporal, address);
  const api = await startApi({ config, client, twilioAuthToken: twilio.authToken, dispatchApiKey });
  onShutdown([
    { name: 'temporal client', stop: () => client.connection.close() },
    { name: 'api', stop: () => api.close() },
  ]);
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
