// The custom store's entry point. The simulated run (./simulated) is not
// exported here: it needs @dynamis/testkit, whose entry loads jest's globals.
export { customStore, REPLICATION } from './customStore';
export { runProcesses } from './processes';
export { startStoreNode, type StoreNodeOptions } from './storeNode';
