export type { TempDir } from './temp-dir.js';
export { tempDir } from './temp-dir.js';
