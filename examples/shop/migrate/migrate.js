'use strict';
const { command } = require('./resp.js');

(async () => {
  await command(process.env.REDIS_HOST || 'redis', ['SET', 'greeting', 'hello from orch']);
  console.log('migration done');
})().catch((e) => {
  console.error('migration failed:', e.message);
  process.exit(1);
});
