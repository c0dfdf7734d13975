export { Code, DataplaneError, StorageCorruptionError } from './lib/errors.js';
export { main } from './main.js';
export { MessageStore } from './storage/message-store.js';
export { storeConfig } from './storage/store-config.js';
