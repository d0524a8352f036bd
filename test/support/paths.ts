import path from 'node:path';
import { WORKFLOW_BUNDLE } from '../../src/temporal/workflowBundle';

export const ROOT = path.resolve(__dirname, '..', '..');
/** Screenshots and logs; git-ignored, kept after the run for a look. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
type Role = 'main' | 'api' | 'worker';
/** The environment and node's flags every way of starting a role sets (the npm scripts, the image). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { ROLE_ENV, ROLE_NODE_FLAGS } = require('../../scripts/run.cjs') as {
  ROLE_ENV: Record<string, string>;
  ROLE_NODE_FLAGS: Record<Role, string[]>;
};
/** How operators start a role (`npm start`, `npm run api`, `npm run worker`), without npm. */
export const roleCommand = (role: Role): string[] => [...ROLE_NODE_FLAGS[role], path.join(ROOT, 'scripts', 'run.cjs'), role];
/** The workflow bundle the build keeps in dist/ (npm ci, globalSetup): replays and simulations load it. */
export const BUNDLE_PATH = WORKFLOW_BUNDLE.codePath;
