// The checkout's root folder: data, tools and the example roster are found relative to it.
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
