// @dynamis/hinted-handoff: the HintStore port over the node's engine, and the
// delivery of hints to their targets through the replica protocol.
export * from './options';
export { EngineHintStore, type EngineHintStats, type HintDrops } from './EngineHintStore';
export { HintDelivery, type HintDeliveryStats } from './HintDelivery';
export { HintService } from './HintService';
export * from './statsProtocol';
export { hintedHandoff, HintDeliveryToken, HintServiceToken } from './plugin';
