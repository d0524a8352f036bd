// Client and worker connections to the configured Temporal cluster (dev server, self-hosted or Cloud).
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '../config';

function connectionOptions(config: TemporalConfig, address: string) {
  return { address, tls: config.tls ? {} : undefined, apiKey: config.apiKey };
}

export async function connectClient(config: TemporalConfig, address: string): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config, address));
  return new Client({ connection, namespace: config.namespace });
}

export function connectWorker(config: TemporalConfig, address: string): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config, address));
}
