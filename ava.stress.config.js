// `npm run test:stress`: the runs that check by volume (thousands of malformed inputs, load, the bench
// smoke, the large differential corpus); `npm test` leaves test/stress/ out so it stays fast.
export default {
  files: ['test/stress/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  timeout: '120s',
  workerThreads: false,
  concurrency: 1,
};
