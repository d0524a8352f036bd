// The audit trail's backlog for /metrics: Airtable writes waiting on the audit task queue, as the
// Temporal server counts them. A growing backlog means Airtable is slow, down, or rate limited.
import type { Client } from '@temporalio/client';
import { Gauge } from 'prom-client';
import { auditTaskQueueFor } from '../contract/audit';
import { registry } from '../observability/metrics';

const ACTIVITY_TASK_QUEUE = 2; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY

export function registerAuditBacklog(client: Client, namespace: string, taskQueue: string): void {
  new Gauge({
    name: 'airtable_audit_backlog',
    help: 'Airtable audit writes waiting on the audit task queue (approximate)',
    registers: [registry],
    async collect() {
      try {
        const { stats } = await client.connection.withDeadline(Date.now() + 2_000, () =>
          client.workflowService.describeTaskQueue({
            namespace,
            taskQueue: { name: auditTaskQueueFor(taskQueue) },
            taskQueueType: ACTIVITY_TASK_QUEUE,
            reportStats: true,
          }),
        );
        this.set(Number(stats?.approximateBacklogCount ?? 0));
      } catch {
        this.reset(); // unknown: no sample rather than a wrong one
      }
    },
  });
}
