// The API's side of a dispatch: start it exactly once, read it, cancel it, hand it replies and
// delivery callbacks. Everything goes through the Temporal client; no state lives in the API.
import {
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { encodeToPayloadsWithContext } from '@temporalio/common/lib/internal-non-workflow';
import { createHash } from 'node:crypto';
import { policyFor, type Config } from '../config';
import { ONCALL_MESSAGES_CALL_ID, onCallWorkflowIdFor } from '../contract/onCall';
import { bundleDeliverySignal, phoneOfBundleCallId, phoneViewQuery, phoneWorkflowIdFor, publishedRecord, reachableSignal, type PhoneView } from '../contract/phone';
import { view } from '../domain/phone/phoneLedger';
import { visibilityRequests } from '../observability/metrics';
import { awaitsAccept, initialDispatchState, jobInProgress } from '../domain/dispatch/dispatchState';
import { replyCodeFor } from '../domain/dispatch/replyCode';
import type { CallerText, DispatchInput, DispatchRequest, DispatchState, DispatchStatus, ReplyResult, TechnicianReply } from '../domain/types';
import {
  DispatchCallerPhoneKey,
  DispatchReplyCodeKey,
  DispatchStatusKey,
  DispatchUrgencyKey,
} from '../contract/searchAttributes';
import {
  callerMessageUpdate,
  deliverySignal,
  describeSignal,
  DISPATCH_WORKFLOW_TASK_TIMEOUT,
  replyUpdate,
  stateQuery,
  WORKFLOW_ID_PREFIX,
  workflowIdFor,
  type DeliveryReport,
} from '../contract/dispatch';
import type { dispatchWorkflow } from '../../workflows/dispatch/dispatchWorkflow';

/** What a new dispatch runs with: the request, when it reached us, its reply code and the configured timers. */
export function dispatchInputFor(config: Config, request: DispatchRequest, receivedAt: Date, replyCode: string): DispatchInput {
  return {
    ...request,
    receivedAt: receivedAt.toISOString(),
    replyCode,
    businessName: config.businessName,
    policy: policyFor(config, request.urgency),
  };
}

/** A dispatch that paged a phone: `open` while it waits for an accept, `inProgress` while its job runs (spec section 11). */
export interface RecentPage {
  callId: string;
  replyCode: string;
  open: boolean;
  inProgress: boolean;
}

export interface StartResult {
  created: boolean;
  dispatch: DispatchState;
}

export class DispatchService {
  constructor(
    private readonly client: Client,
    private readonly config: Config,
  ) {}

  /**
   * Starts the dispatch for a call, or returns the one that exists: a retried webhook, a second API
   * instance or a late duplicate never pages twice, because the workflow id is the call id.
   */
  async start(request: DispatchRequest, receivedAt = new Date()): Promise<StartResult> {
    const workflowId = workflowIdFor(request.callId);
    // No look-up on the start path: codes need only be unique among one phone's jobs, and the
    // phone's workflow makes them so (a longer code from the same call id where one clashes).
    const input = dispatchInputFor(this.config, request, receivedAt, replyCodeFor(request.callId));
    try {
      // A start the server refuses because the id is taken tells us the dispatch exists, with no
      // look-up; the SDK's own retry of a start that did land is answered with its run (same request id).
      await this.client.workflow.start<typeof dispatchWorkflow>('dispatchWorkflow', {
        workflowId,
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowTaskTimeout: DISPATCH_WORKFLOW_TASK_TIMEOUT,
        memo: { request: input },
        typedSearchAttributes: [
          { key: DispatchStatusKey, value: request.urgency === 'routine' ? 'SCHEDULED' : 'PAGING' },
          { key: DispatchUrgencyKey, value: request.urgency },
          { key: DispatchReplyCodeKey, value: input.replyCode },
          { key: DispatchCallerPhoneKey, value: request.callerPhone },
        ],
        staticSummary: `${request.urgency.toUpperCase()} ${request.callerPhone}: ${request.summary}`.slice(0, 200),
        staticDetails: [
          `**Caller** ${request.callerPhone}`,
          `**Urgency** ${request.urgency}`,
          `**Summary** ${request.summary}`,
          request.address ? `**Address** ${request.address}` : '',
          `**Reply code** ${input.replyCode}`,
        ]
          .filter(Boolean)
          .join('\n\n'),
      });
      // A dispatch we just created is what we asked for; only an existing one needs its worker to say more.
      return { created: true, dispatch: initialDispatchState(input) };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    // Running, or finished and not reusable: the caller gets the dispatch that exists.
    const handle = this.client.workflow.getHandle<typeof dispatchWorkflow>(workflowId);
    return { created: false, dispatch: await this.stateOf(handle, await handle.describe()) };
  }

  async get(callId: string): Promise<DispatchState | undefined> {
    const handle = this.client.workflow.getHandle(workflowIdFor(callId));
    try {
      const description = await handle.describe();
      return await this.stateOf(handle, description);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** Ops cancel: a Temporal cancellation request, the same as the Web UI's "Request Cancellation". */
  async cancel(callId: string): Promise<DispatchState | undefined> {
    const handle = this.client.workflow.getHandle(workflowIdFor(callId));
    try {
      await handle.cancel();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
    return this.get(callId);
  }

  /** A technician's answer; undefined when the dispatch did not page that phone; throws once it has finished. */
  async reply(callId: string, reply: TechnicianReply): Promise<ReplyResult | undefined> {
    try {
      return await this.client.workflow.getHandle(workflowIdFor(callId)).executeUpdate(replyUpdate, { args: [reply] });
    } catch (err) {
      // The validator refused: this phone was not paged for the dispatch.
      if (err instanceof WorkflowUpdateFailedError) return undefined;
      throw err;
    }
  }

  /**
   * Where a phone's texts belong, from the record its phone workflow publishes (strongly consistent:
   * a page is registered and published before it is sent). Undefined when the phone has no workflow.
   */
  async phoneView(phone: string): Promise<PhoneView | undefined> {
    const handle = this.client.workflow.getHandle(phoneWorkflowIdFor(this.config.temporal.taskQueue, phone));
    try {
      // No deadline of its own: on a starved API process a short one expires before the call is made,
      // and the answer is the reply's whole point (Twilio itself gives up after 15 s).
      const record = publishedRecord((await handle.describe()).memo);
      // A storm's phone publishes its newest jobs only; its workflow knows them all.
      return record.partial ? await handle.query(phoneViewQuery) : view(record, Date.now());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** Tells a phone's workflow that its number opted back in (START): it may be paged again. */
  async phoneReachable(phone: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(phoneWorkflowIdFor(this.config.temporal.taskQueue, phone)).signal(reachableSignal);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  /**
   * Running dispatches of calls from this number, newest first (spec section 12), from visibility:
   * only for phones without a phone workflow, i.e. dispatches started before those existed.
   */
  async openDispatchesOfCaller(phone: string): Promise<string[]> {
    visibilityRequests.inc({ purpose: 'legacy-caller' });
    const query = `DispatchCallerPhone = '${escapeQuery(phone)}' AND ExecutionStatus = 'Running'`;
    const found: Array<{ callId: string; startedAt: number }> = [];
    for await (const wf of this.client.workflow.list({ query })) {
      found.push({ callId: wf.workflowId.slice(WORKFLOW_ID_PREFIX.length), startedAt: wf.startTime.getTime() });
    }
    return found.sort((a, b) => b.startedAt - a.startedAt).map((f) => f.callId);
  }

  /**
   * A text from the caller to their dispatch; the answer says where things stand. Undefined when the
   * dispatch has finished or does not take caller texts (a worker of an older release).
   */
  async callerText(callId: string, text: CallerText): Promise<string | undefined> {
    try {
      return await this.client.workflow.getHandle(workflowIdFor(callId)).executeUpdate(callerMessageUpdate, { args: [text] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError || /already completed|closed|not found|unknown update/i.test(String(err))) return undefined;
      throw err;
    }
  }

  /** The caller's description, heard after the dispatch started. */
  async describe(callId: string, summary: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(workflowIdFor(callId)).signal(describeSignal, summary);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  /**
   * A Twilio status callback; a dispatch that has finished no longer cares. Sent with a request id
   * made of the message and its status, so a repeated callback is dropped by the Temporal server
   * (no history event, no workflow task): `WorkflowHandle.signal` always draws a random one.
   */
  async deliveryReport(callId: string, report: DeliveryReport): Promise<void> {
    // The on-call schedule's reminders and alerts carry their own call id: their rows follow callbacks
    // too. A bundle's callbacks go to its phone's workflow, which passes them to each job in it.
    const bundlePhone = phoneOfBundleCallId(callId);
    const workflowId = bundlePhone
      ? phoneWorkflowIdFor(this.config.temporal.taskQueue, bundlePhone)
      : callId === ONCALL_MESSAGES_CALL_ID
        ? onCallWorkflowIdFor(this.config.temporal.taskQueue)
        : workflowIdFor(callId);
    const signal = bundlePhone ? bundleDeliverySignal : deliverySignal;
    const { namespace, identity, loadedDataConverter } = this.client.options;
    try {
      // As the SDK's own signal builds the request (WorkflowClient._signalWorkflowHandler).
      await this.client.workflowService.signalWorkflowExecution({
        namespace,
        identity,
        workflowExecution: { workflowId },
        requestId: deliveryRequestId(report),
        signalName: signal.name,
        input: { payloads: await encodeToPayloadsWithContext(loadedDataConverter, { type: 'workflow', namespace, workflowId }, [report]) },
      });
    } catch (err) {
      // Closed or never started: what the SDK reports as WorkflowNotFoundError.
      if (!(isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND)) throw err;
    }
  }

  /**
   * Dispatches that paged this phone and are still running or closed within the last hour, newest
   * first; `open` when still waiting for an accept.
   */
  async recentPagesFor(phone: string): Promise<RecentPage[]> {
    visibilityRequests.inc({ purpose: 'legacy-reply' });
    const since = new Date(Date.now() - 60 * 60 * 1000).toISOString();
    const query = `DispatchPagedPhones = '${escapeQuery(phone)}' AND (ExecutionStatus = 'Running' OR CloseTime > '${since}')`;
    const pages: Array<RecentPage & { startedAt: number }> = [];
    for await (const wf of this.client.workflow.list({ query })) {
      const replyCode = wf.typedSearchAttributes.get(DispatchReplyCodeKey);
      const status = wf.typedSearchAttributes.get(DispatchStatusKey) as DispatchStatus | undefined;
      if (!replyCode) continue;
      const running = wf.status.name === 'RUNNING';
      pages.push({
        callId: wf.workflowId.slice(WORKFLOW_ID_PREFIX.length),
        replyCode,
        open: running && awaitsAccept(status),
        inProgress: running && jobInProgress(status),
        startedAt: wf.startTime.getTime(),
      });
    }
    return pages.sort((a, b) => b.startedAt - a.startedAt).map(({ startedAt: _, ...page }) => page);
  }

  private async stateOf(handle: WorkflowHandle, description: WorkflowExecutionDescription): Promise<DispatchState> {
    // A dispatch that finished returned its final state: the server has it, no worker needs to
    // replay the whole history to answer a query (which, on a loaded worker, outlasted the deadline).
    if (description.status.name === 'COMPLETED') return (await handle.result()) as DispatchState;
    try {
      // A query needs a worker; never let a request hang on one that is down.
      return await this.client.connection.withDeadline(Date.now() + 5_000, () => handle.query(stateQuery));
    } catch (err) {
      // No worker to answer (all down, or not yet polling): report what the server knows.
      const request = description.memo?.request as DispatchInput | undefined;
      if (!request) throw err;
      const status = description.typedSearchAttributes.get(DispatchStatusKey) as DispatchState['status'] | undefined;
      return { ...initialDispatchState(request), ...(status ? { status } : {}) };
    }
  }
}

/** gRPC's status code NOT_FOUND */
const GRPC_NOT_FOUND = 5;

/** One message's one status, UUID-shaped (the SDK's own request ids are UUIDs). */
function deliveryRequestId(report: Pick<DeliveryReport, 'messageSid' | 'status'>): string {
  const hex = createHash('sha256').update(`delivery/${report.messageSid}/${report.status}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function escapeQuery(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
