export * from './broker-cluster.js';
export * from './common.js';
export * from './consumer-group.js';
export * from './topic.js';
