// The workflow bundle's entry: every workflow type the worker serves.
export { dispatchWorkflow } from './dispatch/dispatchWorkflow';
export { auditWriterWorkflow } from './airtable/auditWriter';
export { onCallWorkflow } from './roster/onCallWorkflow';
export { phoneWorkflow } from './phone/phoneWorkflow';
