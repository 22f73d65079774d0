export { Gateway, type GatewayOptions } from './gateway.js';
export type { AccessEntry } from './access.js';
export type { GatewayReplica, GatewayStats, ReplicaStats, RouteStats } from '../../core/gateway/index.js';
