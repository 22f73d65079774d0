// Exit 0 when the URL answers 2xx. The Docker healthcheck runs this: node:20-slim has no curl or wget.
'use strict';
const http = require('node:http');

const req = http.get(process.argv[2], { timeout: 1500 }, (res) => process.exit(res.statusCode < 300 ? 0 : 1));
req.on('error', () => process.exit(1));
req.on('timeout', () => process.exit(1));
