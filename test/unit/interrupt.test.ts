import { describe, expect, it } from 'vitest';
import { onInterrupt } from '../../src/cli/interrupt.js';

describe('onInterrupt', () => {
  it('counts a SIGINT repeated within 300ms (npm forwarding the same Ctrl-C) as one press', async () => {
    const i = onInterrupt();
    try {
      process.emit('SIGINT');
      process.emit('SIGINT');
      expect(i.signal.aborted).toBe(true);
      expect(i.force.aborted).toBe(false);
      await new Promise((r) => setTimeout(r, 350));
      process.emit('SIGINT');
      expect(i.force.aborted).toBe(true);
    } finally {
      i.dispose();
    }
  });

  it('treats the terminal going away (SIGHUP) as a request to clean up', () => {
    const i = onInterrupt();
    try {
      process.emit('SIGHUP');
      expect(i.signal.aborted).toBe(true);
    } finally {
      i.dispose();
    }
  });
});
