// Which of the dispatch's changes a run takes. Each patched() a run takes records a marker and
// upserts the TemporalChangeVersion search attribute: two history events and a visibility update
// per patch, some ten per dispatch. A dispatch started since DISPATCH_PATCHES_TAKEN takes every patch
// below with that one marker; a dispatch started before it replays each marker it recorded, as it
// recorded it. A later change gets a patched() of its own, as before.
import { patched } from '@temporalio/workflow';

/** The patches a dispatch takes with DISPATCH_PATCHES_TAKEN; docs/decisions.md, Versioning, says what each changed. */
export type DispatchPatch =
  | 'phone-workflows'
  | 'step-clock-from-send'
  | 'delivery-check-ends-when-final'
  | 'await-final-status'
  | 'skip-unreachable-in-round'
  | 'voice-follow-up'
  | 'after-accept'
  | 'caller-messages'
  | 'pages-follow-schedule'
  | 'audit-writer';

export const DISPATCH_PATCHES_TAKEN = 'dispatch-patches-taken-2026-12';

export class DispatchVersions {
  /** Decided at the dispatch's first step, before any other patch. */
  private readonly allTaken = patched(DISPATCH_PATCHES_TAKEN);

  has(patch: DispatchPatch): boolean {
    return this.allTaken || patched(patch);
  }
}
