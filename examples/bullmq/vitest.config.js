import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['*.test.js'],
    // The same real redis-server set-up as @tracium/bullmq's own suite (it fails, with the
    // install command, when redis-server is missing).
    globalSetup: ['../../packages/bullmq/test/redis.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
