// Client and worker connections to the configured Temporal cluster (dev server, self-hosted or Cloud).
// Each SDK package loads only when its connection is made: the API never needs the worker's (a
// quarter of a second of its start-up), and a worker needs the client's only once it polls.
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '../config';

function connectionOptions(config: TemporalConfig, address: string) {
  return { address, tls: config.tls ? {} : undefined, apiKey: config.apiKey };
}

export async function connectClient(config: TemporalConfig, address: string): Promise<Client> {
  const { Client, Connection } = await import('@temporalio/client');
  const connection = await Connection.connect(connectionOptions(config, address));
  return new Client({ connection, namespace: config.namespace });
}

export async function connectWorker(config: TemporalConfig, address: string): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(connectionOptions(config, address));
}
