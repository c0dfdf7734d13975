/** Fixed ports of the single `rocketry` image (DESIGN.md §1). */
export const GRPC_PORT = 8081;
export const ADMIN_PORT = 8082;
export const NAMESRV_PORT = 9876;
/** Where a broker keeps its commit log and metadata (the `data` volume). */
export const DATA_DIR = '/var/lib/rocketry';
