export * from './broker-admin.js';
export * from './http-broker-admin.js';
