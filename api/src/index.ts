export { type AppDeps, apiRoutes, createApp } from './app.js';
export { type ApiConfig, parseApiConfig } from './config.js';
export { type DatabaseTarget, dropSchema, type OpenDatabase, openDatabase } from './db/database.js';
export { migrateToLatest } from './db/migrate.js';
export { createServices } from './services/create-services.js';
export const component = 'api';
