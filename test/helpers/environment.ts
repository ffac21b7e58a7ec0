// Loaded before every test file (jest.config.js setupFiles). Any service a test starts without
// naming a DATA_DIR (in-process, or a child process inheriting this environment) keeps its
// embedded database in memory, never in the checkout's `.data/`; process stacks
// (process-stack.ts) give theirs a temporary folder.
process.env.DATA_DIR ||= ':memory:';
