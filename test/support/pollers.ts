// When a worker process first polled a task queue, as the Temporal server saw it: its identity
// (the SDK's default, pid@host) appears among the queue's pollers.
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import os from 'node:os';
import { waitFor } from './wait';

/** The SDK's default identity of a worker process. */
export const workerIdentity = (pid: number): string => `${pid}@${os.hostname()}`;

export interface PollerWatcher {
  /** Date.now() when the server first listed `identity` as a workflow poller of `taskQueue` (checked every 10 ms) */
  firstPoll(taskQueue: string, identity: string, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function watchPollers(address: string, namespace = 'default'): Promise<PollerWatcher> {
  const connection = await Connection.connect({ address });
  const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
  return {
    firstPoll: (taskQueue, identity, timeoutMs = 60_000) =>
      waitFor(`${identity} to poll ${taskQueue}`, async () => {
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return pollers?.some((p) => p.identity === identity) ? Date.now() : undefined;
      }, timeoutMs, 10),
    close: () => connection.close(),
  };
}
