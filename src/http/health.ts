// Liveness and readiness for load balancers and ops (spec section 5).
import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import express from 'express';
import type { Config } from '../config';
import type { OnCallService } from '../client/onCallService';
import { visibilityRequests } from '../observability/metrics';

export function healthRoutes(client: Client, config: Config, onCall: OnCallService): Router {
  const router = express.Router();
  // Liveness: the process answers.
  router.get('/health/live', (_req, res) => void res.json({ status: 'ok' }));
  // Readiness: Temporal answers, a worker polls our queue, and the dispatch figures.
  router.get('/health', async (_req, res) => {
    try {
      const deadline = Date.now() + 3_000;
      visibilityRequests.inc({ purpose: 'health' }, 2);
      const [open, paging, workers] = await client.connection.withDeadline(deadline, () =>
        Promise.all([
          client.workflow.count(`WorkflowType = 'dispatchWorkflow' AND ExecutionStatus = 'Running'`),
          client.workflow.count(`WorkflowType = 'dispatchWorkflow' AND ExecutionStatus = 'Running' AND DispatchStatus = 'PAGING'`),
          client.workflowService.describeTaskQueue({
            namespace: config.temporal.namespace,
            taskQueue: { name: config.temporal.taskQueue },
            taskQueueType: 1, // workflow
          }),
        ]),
      );
      const pollers = workers.pollers?.length ?? 0;
      res.json({
        status: 'ok',
        temporal: { reachable: true, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, workerPollers: pollers },
        dispatches: { open: open.count, paging: paging.count },
        oncall: await coverage(onCall),
      });
    } catch (err) {
      res.status(503).json({ status: 'unavailable', temporal: { reachable: false, error: String((err as Error).message ?? err) } });
    }
  });
  return router;
}

/** Coverage gaps ahead (spec section 9); the schedule not answering does not make the API unready. */
async function coverage(onCall: OnCallService): Promise<{ gaps: { tier: number; start: string; end: string }[]; readAt?: string } | { error: string }> {
  try {
    const plan = await onCall.current();
    return { readAt: plan?.computedAt, gaps: (plan?.gaps ?? []).map(({ tier, start, end }) => ({ tier, start, end })) };
  } catch (err) {
    return { error: String((err as Error).message ?? err) };
  }
}
