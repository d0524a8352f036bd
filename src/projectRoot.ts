// The checkout's root folder: data, tools and the example roster are found relative to it. The
// nearest folder above this file with a package.json, so it is the same whether the code runs from
// its TypeScript sources or from the compiled copy in dist/app/.
import fs from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..');
  }
}

export const PROJECT_ROOT = findRoot(__dirname);
