import assert from 'node:assert/strict';
import type { AedesPublishPacket } from 'aedes';
import { InProcessRouting } from '../../../fleet/broker/in-process-routing.ts';
import { silentLogger } from '../../../platform/log.ts';

function publish(topic: string, retain: boolean): AedesPublishPacket {
  const payload = Buffer.from('{}');
  return { cmd: 'publish', topic, payload, qos: 1, retain, dup: false, brokerId: 'b', brokerCounter: 1 };
}

describe('InProcessRouting: the publish gate', () => {
  it('a withheld publish goes on as QoS 0 (no PUBACK), not retained, and marked so nobody receives it', () => {
    const routing = new InProcessRouting(silentLogger());
    let withhold = false;
    routing.gatePublishes('dt/', (_topic, _payload, ack, hold) => (withhold ? hold() : ack()));

    // Positive control: a message the gate takes keeps its QoS and retain flag, and is delivered.
    const taken = publish('dt/cartfleet/cart-1/telemetry', true);
    let acks = 0;
    routing.admit(taken, () => acks++);
    assert.equal(acks, 1);
    assert.equal(taken.qos, 1);
    assert.equal(taken.retain, true);
    assert.equal(routing.isWithheld(taken), false);

    withhold = true;
    const held = publish('dt/cartfleet/cart-1/telemetry', true);
    routing.admit(held, () => acks++);
    assert.equal(acks, 2, 'aedes is let go on, so the connection keeps working');
    assert.equal(held.qos, 0, 'aedes sends no PUBACK for QoS 0');
    assert.equal(held.retain, false, 'aedes must not store a withheld message as the retained one');
    assert.equal(routing.isWithheld(held), true);
  });
});
