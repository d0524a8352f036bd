// `npm start`: the whole product in one process. Without TEMPORAL_ADDRESS it runs an embedded
// Temporal dev server (state on disk, Web UI); without Twilio or Airtable credentials it runs their
// local stand-ins, so a person can watch and answer a dispatch with no accounts at all.
import path from 'node:path';
import { apiAccess, ConfigError, LOCAL_DISPATCH_API_KEY, loadConfigOrExit, type AirtableConfig, type Config, type TwilioConfig } from './config';
import { startAirtableEmulator } from '../emulators/airtable';
import { startTwilioEmulator, type TwilioEmulator } from '../emulators/twilio';
import { createOnCallService } from './client/onCallService';
import { logger } from './observability/logger';
import { startApi } from './roles/api';
import { onShutdown } from './roles/lifecycle';
import { startWorkers } from './roles/worker';
import { installTemporalRuntime } from './temporal/runtime';
import { connectClient, connectWorker } from './temporal/connection';
import { ensureTemporalCli } from './temporal/cli';
import { startDevServer } from './temporal/devServer';

type Stop = { name: string; stop: () => Promise<unknown> };

/** Fixed credentials of the local stand-ins: they only ever listen on loopback. */
const LOCAL_TWILIO = { accountSid: 'AC00000000000000000000000000000000', authToken: 'local-sandbox-auth-token', fromNumber: '+15005550006' };
const LOCAL_AIRTABLE = { apiKey: 'patLocalSandbox', baseId: 'appLocalDispatch' };

async function localTwilio(config: Config, stops: Stop[]): Promise<{ twilio: TwilioConfig; sandbox?: TwilioEmulator }> {
  if (config.twilio) return { twilio: config.twilio };
  const emulator = await startTwilioEmulator({
    port: Number(process.env.TWILIO_EMULATOR_PORT ?? 4010),
    accountSid: LOCAL_TWILIO.accountSid,
    authToken: LOCAL_TWILIO.authToken,
    ourNumber: LOCAL_TWILIO.fromNumber,
    appBaseUrl: `http://127.0.0.1:${config.port}`,
    publicBaseUrl: config.publicBaseUrl,
    // the sandbox page links each dispatch to the embedded Web UI
    webUiUrl: config.temporal.address ? undefined : `http://localhost:${config.devServer.uiPort}`,
  });
  stops.push({ name: 'Twilio stand-in', stop: () => emulator.close() });
  logger.info({ url: emulator.url }, 'no Twilio credentials: using the local Twilio stand-in (open its URL to see the phones)');
  return { twilio: { ...LOCAL_TWILIO, apiBaseUrl: emulator.url }, sandbox: emulator };
}

async function localAirtable(config: Config, stops: Stop[]): Promise<AirtableConfig> {
  if (config.airtable) return config.airtable;
  const emulator = await startAirtableEmulator({
    port: Number(process.env.AIRTABLE_EMULATOR_PORT ?? 4020),
    apiKey: LOCAL_AIRTABLE.apiKey,
    baseId: LOCAL_AIRTABLE.baseId,
    dataFile: path.join(config.dataDir, 'airtable.json'),
  });
  stops.push({ name: 'local Airtable', stop: () => emulator.close() });
  logger.info({ url: emulator.url }, 'no Airtable credentials: keeping the tables locally');
  return { ...LOCAL_AIRTABLE, endpointUrl: emulator.url };
}

async function embeddedTemporal(config: Config, stops: Stop[]): Promise<string> {
  if (config.temporal.address) return config.temporal.address;
  const cli = ensureTemporalCli((msg) => logger.info(`temporal cli: ${msg}`));
  if (!cli) throw new ConfigError('TEMPORAL_CLI_PATH', 'must name a Temporal CLI: none was found on PATH and none could be installed');
  const server = await startDevServer({
    cliPath: cli.path,
    port: config.devServer.port,
    uiPort: config.devServer.uiPort,
    dbFile: path.join(config.dataDir, 'temporal.db'),
    namespace: config.temporal.namespace,
    logFile: path.join(config.dataDir, 'temporal.log'),
  });
  stops.push({ name: 'Temporal dev server', stop: () => server.stop() });
  logger.info({ address: server.address, webUi: server.uiUrl }, 'embedded Temporal dev server ready');
  return server.address;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Decided before anything starts: with real Twilio credentials a missing or weak key stops here.
  const access = apiAccess(config);
  installTemporalRuntime();
  const stops: Stop[] = [];
  onShutdown(stops);
  const address = await embeddedTemporal(config, stops);
  const { twilio, sandbox } = await localTwilio(config, stops);
  const airtable = await localAirtable(config, stops);

  const connection = await connectWorker(config.temporal, address);
  stops.push({ name: 'worker connection', stop: () => connection.close() });
  const workers = await startWorkers({
    config,
    connection,
    twilio,
    airtable,
    // With a real base the Technicians table is the roster; locally the example roster file is.
    rosterFile: config.airtable && !process.env.ROSTER_FILE ? undefined : config.rosterFile,
  });
  stops.push({ name: 'workers', stop: () => workers.shutdown() });

  const client = await connectClient(config.temporal, address);
  stops.push({ name: 'temporal client', stop: () => client.connection.close() });
  // The sandbox page names each phone and shows who is on call, from the schedule's workflow.
  const onCall = createOnCallService(client, config.temporal.taskQueue);
  sandbox?.setDirectory(() => onCall.directory());
  if (access.dispatchApiKey === LOCAL_DISPATCH_API_KEY) logger.warn('sandbox: the API accepts the local key documented in the README');
  const api = await startApi({ config, client, twilioAuthToken: twilio.authToken, dispatchApiKey: access.dispatchApiKey, host: access.host });
  stops.push({ name: 'api', stop: () => api.close() });
  logger.info({ api: api.url, webUi: `http://localhost:${config.devServer.uiPort}` }, 'after-hours dispatch is running');
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else logger.fatal({ err }, 'failed to start');
  process.exit(1);
});
