// A minimal Redis client (RESP over TCP), so the example needs no npm install.
'use strict';
const net = require('node:net');

function encode(args) {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('');
}

function command(host, args, port = 6379) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host, port }, () => sock.write(encode(args)));
    let buf = '';
    sock.setTimeout(2000, () => sock.destroy(new Error('redis timeout')));
    sock.on('data', (d) => {
      buf += d.toString();
      const m = /^([+:\-$])(.*?)\r\n(?:(.*?)\r\n)?/s.exec(buf);
      if (!m) return;
      if (m[1] === '$' && m[2] !== '-1' && m[3] === undefined) return;
      sock.end();
      if (m[1] === '-') reject(new Error(m[2]));
      else if (m[1] === ':') resolve(Number(m[2]));
      else if (m[1] === '$') resolve(m[2] === '-1' ? null : m[3]);
      else resolve(m[2]);
    });
    sock.on('error', reject);
  });
}

module.exports = { command };
