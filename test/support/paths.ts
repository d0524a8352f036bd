import path from 'node:path';
import { WORKFLOW_BUNDLE } from '../../src/temporal/workflowBundle';

export const ROOT = path.resolve(__dirname, '..', '..');
/** Screenshots and logs; git-ignored, kept after the run for a look. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
/** How operators start a role (`npm start`, `npm run api`, `npm run worker`), without npm. */
export const roleCommand = (role: 'main' | 'api' | 'worker'): string[] => [path.join(ROOT, 'scripts', 'run.cjs'), role];
/** The workflow bundle the build keeps in dist/ (npm ci, globalSetup): replays and simulations load it. */
export const BUNDLE_PATH = WORKFLOW_BUNDLE.codePath;
