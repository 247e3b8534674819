import { defineConfig } from 'vitest/config'

export default defineConfig({
  // CI runs every suite at once on two cores, and this one starts worker threads and three
  // servers: a slow second is not a failure.
  test: { testTimeout: 30_000 },
})
