import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          environment: 'node',
          // vitest's 5 s default is a wall-time bound: on a loaded 2-core machine a schema compile or
          // a corpus file alone has taken longer. The tests assert behaviour, not speed.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'engine',
          include: ['test/docker/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Engine tests share one Docker daemon and two cores: run files one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
