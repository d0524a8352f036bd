// The API role: the HTTP server in front of the Temporal client. Stateless; run as many as needed.
import type { Client } from '@temporalio/client';
import http from 'node:http';
import type { Config } from '../config';
import { DispatchService } from '../client/dispatchService';
import { createApp } from '../http/app';
import { logger } from '../observability/logger';

export interface RunningApi {
  server: http.Server;
  url: string;
  /** stops taking requests and lets those in flight finish */
  close(): Promise<void>;
}

export async function startApi(opts: {
  config: Config;
  client: Client;
  twilioAuthToken: string;
  dispatchApiKey: string;
  /** the interface to listen on; unset: every interface */
  host?: string;
}): Promise<RunningApi> {
  const dispatches = new DispatchService(opts.client, opts.config);
  const app = createApp({ config: opts.config, client: opts.client, dispatches, twilioAuthToken: opts.twilioAuthToken, dispatchApiKey: opts.dispatchApiKey });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.config.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.config.port;
  logger.info({ port, host: opts.host ?? 'every interface' }, 'API listening');
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
