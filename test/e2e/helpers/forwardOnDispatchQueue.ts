// Workflow interceptor (bundled into the workflows, deterministic): schedules forwardAudit on the
// dispatch's own task queue, as every release before the move to `<queue>-audit` did (9374ad5).
// That queue was the only difference between the two releases' workflow code, so the workflows of
// this checkout with this interceptor make exactly the commands the older release made.
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        if (input.activityType !== 'forwardAudit') return next(input);
        return next({ ...input, options: { ...input.options, taskQueue: workflowInfo().taskQueue } });
      },
    },
  ],
});
