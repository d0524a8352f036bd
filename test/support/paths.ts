import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
/** Screenshots, logs and the shared workflow bundle; git-ignored, kept after the run for a look. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
export const BUNDLE_PATH = path.join(ARTIFACTS, 'workflow-bundle.js');
