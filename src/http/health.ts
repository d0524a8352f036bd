// Liveness and readiness for load balancers and ops (spec section 5).
import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import express from 'express';
import type { Config } from '../config';

export function healthRoutes(client: Client, config: Config): Router {
  const router = express.Router();
  // Liveness: the process answers.
  router.get('/health/live', (_req, res) => void res.json({ status: 'ok' }));
  // Readiness: Temporal answers, a worker polls our queue, and the dispatch figures.
  router.get('/health', async (_req, res) => {
    try {
      const deadline = Date.now() + 3_000;
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
      });
    } catch (err) {
      res.status(503).json({ status: 'unavailable', temporal: { reachable: false, error: String((err as Error).message ?? err) } });
    }
  });
  return router;
}
