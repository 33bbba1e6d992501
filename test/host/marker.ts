/** The prefix of the result lines the in-editor suites print and test/host/run.ts reads from the console. */
export const RESULT_MARKER = 'claude-pm-host-test';
