// The engine's version (package.json's; a test keeps them equal). Tuning tables record it: kernels change
// between versions, and a table measured on another version's kernels is not reused.
export const ENGINE_VERSION = '0.1.0';
