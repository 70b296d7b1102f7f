import { partitionerContract } from '@dynamis/testkit';
import { RingPartitioner } from './RingPartitioner';

partitionerContract('RingPartitioner (defaults)', () => new RingPartitioner());
partitionerContract(
  'RingPartitioner (Q=16, zones ignored, targetN=2)',
  () => new RingPartitioner({ partitions: 16, zoneAware: false, targetN: 2 }),
);
