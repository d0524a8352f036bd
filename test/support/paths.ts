import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
/** Screenshots and logs; git-ignored, kept after the run for a look. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
/** How operators start a role (`npm start`, `npm run api`, `npm run worker`), without npm. */
export const roleCommand = (role: 'main' | 'api' | 'worker'): string[] => [path.join(ROOT, 'scripts', 'run.cjs'), role];
