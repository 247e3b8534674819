// Types of mock-model.js, for the TypeScript tests that reuse it (@tracium/sdk's).
/** Starts the mock model; resolves with its base URL (…/v1) and a close function. */
export function startMockModel(): Promise<{ baseURL: string; close: () => Promise<void> }>
