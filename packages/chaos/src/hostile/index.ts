export { HostileTransport, type Interceptor, type OutboundRewrite } from './HostileTransport';
export { lwwVersion, dvvVersion, dvvContext, sibling, gossipEntry, type WireSibling, type GossipStatus } from './payloads';
