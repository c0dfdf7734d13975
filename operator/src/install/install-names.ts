import type { ReleaseInfo } from './chart-values.js';

/** Names of the installed objects, as the chart's templates spell them. */
export const operatorName = (r: ReleaseInfo): string => `${r.name}-operator`;
export const leaderElectionName = (r: ReleaseInfo): string => `${r.name}-operator-leader-election`;
export const leaseName = (r: ReleaseInfo): string => `${r.name}-operator-leader`;
export const apiName = (r: ReleaseInfo): string => `${r.name}-api`;

/** DESIGN.md §1: operator metrics and health, KEDA external scaler (gRPC), control-plane API. */
export const METRICS_PORT = 8090;
export const SCALER_PORT = 8091;
export const API_PORT = 8080;
