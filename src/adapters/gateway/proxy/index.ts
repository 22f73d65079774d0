export type { ClientSide } from './client-side.js';
export { Exchange } from './exchange.js';
export { startExchange } from './start.js';
