// `@dynamis/testkit/sim`: the simulation alone (no contract suites, so no Jest), for tools that run outside Jest.
// Types for node10 resolution; package.json `exports` maps the runtime path.
export * from './dist/sim';
