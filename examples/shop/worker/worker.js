'use strict';
const { command } = require('./resp.js');

const redis = process.env.REDIS_HOST || 'redis';
console.log('worker ready');
const timer = setInterval(async () => {
  try {
    const n = await command(redis, ['INCR', 'jobs']);
    console.log(`processed job ${n}`);
  } catch (e) {
    console.error('job failed:', e.message);
  }
}, 5000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
