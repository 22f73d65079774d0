// The orch gateway (built code in dist/) over the benchmark upstreams:
// node bench/gateway/gateway.mjs PORT UPSTREAM_PORT...
import { Gateway } from '../../dist/adapters/gateway/index.js';

const [port, ...upstreams] = process.argv.slice(2).map(Number);
let lines = 0;
const gw = new Gateway(
  {
    port,
    host: '127.0.0.1',
    timeoutMs: 30_000,
    routes: [
      {
        path: '/',
        service: 'hello',
        port: 8000,
        stripPrefix: false,
        balance: 'round_robin',
        pos: { file: '', line: 0, col: 0 },
      },
    ],
  },
  // The access callback is where `orch up` hands lines to the log stream; here they are counted.
  { onAccess: () => void lines++ },
);
gw.setReplicas(
  'hello',
  upstreams.map((p, i) => ({
    id: `c${i + 1}`,
    name: `hello-${i + 1}`,
    service: 'hello',
    replica: i + 1,
    healthy: true,
    ports: [{ containerPort: 8000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: p }],
  })),
);
await gw.start();
process.send?.('ready');
process.on('SIGTERM', () => {
  void gw.stop().then(() => {
    process.send?.({ lines, stats: gw.stats() });
    process.exit(0);
  });
});
