export {
  Balancer,
  DEFAULT_EJECTION,
  type Candidate,
  type EjectionPolicy,
  type Member,
  type RandomSource,
} from './balancer.js';
export { CircuitBreaker, type BreakerState } from './breaker.js';
export { RetryBudget } from './budget.js';
export { backoffMs, IDEMPOTENT, isRetryable, type TryFailure } from './retry.js';
export { RouteBalancer } from './route-balancer.js';
export { SmoothWeighted } from './swrr.js';
export {
  acceptableRequestId,
  forwardRequestHeaders,
  forwardResponseHeaders,
  isHopByHop,
  isProtected,
  nextTraceparent,
  parseTraceparent,
  type ForwardContext,
  type ForwardedRequest,
  type IdSource,
  type Traceparent,
} from './headers.js';
export {
  Membership,
  hostAddress,
  type BreakerChange,
  type GatewayReplica,
  type MembershipOptions,
  type RouteState,
  type Upstream,
} from './membership.js';
export {
  compileRoutes,
  hostName,
  matchRoute,
  prefixMatches,
  upstreamPath,
  type CompiledRoute,
  type RouteTable,
} from './routes.js';
export {
  LatencyHistogram,
  RequestStats,
  quantileOfCounts,
  type GatewayStats,
  type ServiceLoad,
  type ReplicaStats,
  type RouteStats,
  type StatsSnapshot,
} from './stats.js';
