// Contract suites: one per port. A plugin proves itself by running its port's suite.
export * from './storageEngine';
export * from './fileSystem';
export * from './transport';
export * from './conflictResolver';
export * from './partitioner';
export * from './coordinator';
export * from './hintStore';
export * from './membership';
export * from './antiEntropy';
export * from './fastParser';
