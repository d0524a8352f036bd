// Which of the dispatch's changes a run takes. Each patched() a run takes records a marker and
// upserts the TemporalChangeVersion search attribute: two history events and a visibility update
// per patch, some ten per dispatch. So a dispatch takes every patch of its release with one marker,
// the newest release's: a dispatch started under an earlier release's marker replays with that
// marker and the patches it took, and one started before any replays each marker it recorded.
import { patched } from '@temporalio/workflow';

/** Each release's patches; docs/decisions.md, Versioning, says what each changed. */
const FIRST_RELEASE = [
  'phone-workflows',
  'step-clock-from-send',
  'delivery-check-ends-when-final',
  'await-final-status',
  'skip-unreachable-in-round',
  'voice-follow-up',
  'after-accept',
  'caller-messages',
  'pages-follow-schedule',
  'audit-writer',
] as const;
const SECOND_RELEASE = [...FIRST_RELEASE, 'first-read-local'] as const;

/** The patches a dispatch can take: the newest release's. */
export type DispatchPatch = (typeof SECOND_RELEASE)[number];

/** Each release's marker with every patch it takes, newest first: a new release goes on top. */
export const DISPATCH_RELEASES: ReadonlyArray<{ marker: string; patches: readonly DispatchPatch[] }> = [
  { marker: 'dispatch-patches-taken-2026-12-b', patches: SECOND_RELEASE },
  { marker: 'dispatch-patches-taken-2026-12', patches: FIRST_RELEASE },
];

/** The marker a dispatch started now records. */
export const DISPATCH_PATCHES_TAKEN = DISPATCH_RELEASES[0]!.marker;

export class DispatchVersions {
  /**
   * Decided at the dispatch's first step, before any other patch. A replay asks for the markers
   * newest first: patched() of a marker its history lacks is false and records nothing.
   */
  private readonly taken: ReadonlySet<DispatchPatch> = new Set(DISPATCH_RELEASES.find((release) => patched(release.marker))?.patches ?? []);

  has(patch: DispatchPatch): boolean {
    return this.taken.has(patch) || patched(patch);
  }
}
