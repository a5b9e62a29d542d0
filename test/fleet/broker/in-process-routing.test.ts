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

  it('a filter gate takes its topics ahead of a prefix gate, which keeps the rest; removing it hands them back', () => {
    const routing = new InProcessRouting(silentLogger());
    const telemetry: string[] = [];
    const plays: string[] = [];
    routing.gatePublishes('dt/cartfleet/', (topic, _p, ack) => {
      telemetry.push(topic);
      ack();
    });
    const off = routing.gateFilter('dt/cartfleet/+/plays', (topic, _p, ack) => {
      plays.push(topic);
      ack();
    });
    for (const topic of ['dt/cartfleet/spk-1/plays', 'dt/cartfleet/spk-1/telemetry', 'dt/cartfleet/spk-1/plays/x'])
      routing.admit(publish(topic, false), () => {});
    routing.admit(publish('cmd/cartfleet/spk-1/locate', false), () => {});
    assert.deepEqual(plays, ['dt/cartfleet/spk-1/plays']);
    assert.deepEqual(telemetry, ['dt/cartfleet/spk-1/telemetry', 'dt/cartfleet/spk-1/plays/x'], 'not its filter');
    off();
    routing.admit(publish('dt/cartfleet/spk-1/plays', false), () => {});
    assert.equal(plays.length, 1);
    assert.equal(telemetry.at(-1), 'dt/cartfleet/spk-1/plays', 'the prefix gate takes it again');
  });
});
