export * from './kube-server/index.js';
export { type RocketryProcess, startRocketry } from './rocketry-process.js';
export { type TempDir, tempDir } from './temp-dir.js';
