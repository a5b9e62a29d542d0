import assert from 'node:assert/strict';
import { Nau7802 } from '../../../../devices/cart/hardware/nau7802.ts';
import { NAU7802_ADDRESS } from '../../../../devices/cart/hardware/nau7802-registers.ts';
import { Scale, type SettledWeight } from '../../../../devices/cart/hardware/scale.ts';
import { ScaleModel, type ScaleModelOptions } from '../../../../devices/cart/hardware/scale-model.ts';
import { StabilityDetector } from '../../../../devices/cart/hardware/stability-detector.ts';
import { VirtualNau7802 } from '../../../../devices/cart/hardware/virtual-nau7802.ts';
import { isFleetError } from '../../../../protocol/errors.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { openVirtualBoard } from '../../../mocks/virtual-board.ts';

const SAMPLE_MS = 50;
const WINDOW_MS = 300;
const SETTLING_MS = 400;

interface Rig {
  clock: FakeClock;
  model: ScaleModel;
  scale: Scale;
  settled: SettledWeight[];
  unsettled: number[];
}

/** A Scale on the NAU7802 driver on the virtual part fed by a ScaleModel, started and settled empty. */
async function scaleRig(model: Partial<ScaleModelOptions> = {}, seed = 7): Promise<Rig> {
  const clock = new FakeClock();
  const { board, io } = await openVirtualBoard({ clock });
  const scaleModel = new ScaleModel({ seed, settlingMs: SETTLING_MS, ...model }, clock.now());
  io.attachI2cDevice(NAU7802_ADDRESS, new VirtualNau7802(scaleModel, clock));
  const adc = new Nau7802(board, clock, { sampleIntervalMs: SAMPLE_MS });
  const scale = new Scale(
    adc,
    { countsPerGram: 430, offsetCounts: 150_000 },
    { settleWindowMs: WINDOW_MS, settleSpreadGrams: 2 },
  );
  const rig: Rig = { clock, model: scaleModel, scale, settled: [], unsettled: [] };
  scale.onSettled((w) => rig.settled.push(w));
  scale.onUnsettled((at) => rig.unsettled.push(at));
  const started = scale.start();
  await clock.advanceAsync(1000);
  await started;
  return rig;
}

describe('basket scale (Scale on the NAU7802 driver, virtual load cell with physics)', () => {
  let rig: Rig;

  afterEach(() => {
    rig.scale.stop();
    assert.equal(rig.clock.pending, 0, 'stop() leaves no timer');
  });

  it('settles empty at 0 g after start', async () => {
    rig = await scaleRig();
    assert.deepEqual(
      rig.settled.map((w) => w.grams),
      [0],
    );
    assert.equal(rig.scale.reading(), 0);
  });

  it('a dropped 500 g item: unsettled at once, settled within the settling time plus one window, delta 500 ± 3 g', async () => {
    rig = await scaleRig();
    rig.settled.length = 0;
    const droppedAt = rig.clock.now();
    rig.model.add(500, droppedAt, 'dropped');
    await rig.clock.advanceAsync(SAMPLE_MS);
    assert.equal(rig.unsettled.length, 1, 'the landing unsettles the scale on the next sample');
    assert.throws(
      () => rig.scale.reading(),
      (err) => isFleetError(err, 'WEIGHT_NOT_SETTLED'),
    );
    await rig.clock.advanceAsync(3000);
    assert.equal(rig.settled.length, 1, 'one settled reading, not one per ring of the oscillation');
    const [weight] = rig.settled;
    assert.ok(weight);
    assert.ok(Math.abs(weight.deltaGrams - 500) <= 3, `delta ${weight.deltaGrams}`);
    const took = weight.at - droppedAt;
    assert.ok(took <= SETTLING_MS + WINDOW_MS + SAMPLE_MS, `settled after ${took} ms`);
    // Not before the oscillation has died: a detector that trusted the first sample would be early.
    assert.ok(took >= WINDOW_MS, `settled after ${took} ms`);
  });

  it('a second item is reported by its own delta, and taking one out by a negative delta', async () => {
    rig = await scaleRig();
    rig.model.add(500, rig.clock.now());
    await rig.clock.advanceAsync(2000);
    rig.model.add(1250, rig.clock.now(), 'placed');
    await rig.clock.advanceAsync(2000);
    rig.model.remove(500, rig.clock.now());
    await rig.clock.advanceAsync(2000);
    const deltas = rig.settled.slice(1).map((w) => w.deltaGrams);
    assert.equal(deltas.length, 3, deltas.join());
    assert.ok(Math.abs((deltas[0] ?? 0) - 500) <= 3, deltas.join());
    assert.ok(Math.abs((deltas[1] ?? 0) - 1250) <= 3, deltas.join());
    assert.ok(Math.abs((deltas[2] ?? 0) + 500) <= 3, deltas.join());
    assert.ok(Math.abs(rig.scale.reading() - 1250) <= 3);
  });

  it('while the cart is pushed: unsettled and no settled reading until it stands still', async () => {
    rig = await scaleRig();
    rig.settled.length = 0;
    rig.model.setPushing(true, rig.clock.now());
    await rig.clock.advanceAsync(10_000);
    assert.equal(rig.unsettled.length, 1);
    assert.equal(rig.settled.length, 0, 'no settled reading while pushed');
    assert.equal(rig.scale.settled, false);
    // Positive control: once the cart stands still the same scale settles again, at the same weight.
    rig.model.setPushing(false, rig.clock.now());
    await rig.clock.advanceAsync(2000);
    assert.equal(rig.settled.length, 1);
    assert.ok(Math.abs(rig.settled[0]?.deltaGrams ?? 99) <= 1, `delta ${rig.settled[0]?.deltaGrams}`);
  });

  it('creep and zero drift over 20 minutes stay within their configured size', async () => {
    const creepFraction = 0.002;
    const zeroDriftGramsPerHour = 3;
    rig = await scaleRig({ creepFraction, creepTauMs: 120_000, zeroDriftGramsPerHour });
    rig.model.add(2000, rig.clock.now());
    await rig.clock.advanceAsync(2000);
    const first = rig.scale.reading();
    await rig.clock.advanceAsync(20 * 60_000);
    const later = rig.scale.reading();
    const creep = 2000 * creepFraction; // 4 g, nearly all of it after 10 time constants
    const drift = zeroDriftGramsPerHour / 3; // 1 g in 20 minutes
    const grew = later - first;
    assert.ok(
      grew >= creep + drift - 2 && grew <= creep + drift + 2,
      `grew ${grew} g, expected about ${creep + drift}`,
    );
  });

  it('temperature moves the zero by the configured coefficient', async () => {
    rig = await scaleRig({ tempcoGramsPerC: 0.5, zeroDriftGramsPerHour: 0 });
    rig.model.setTemperature(34);
    await rig.clock.advanceAsync(2000);
    assert.ok(Math.abs(rig.scale.reading() - 5) <= 1, `${rig.scale.reading()} g at +10 °C`);
  });

  it('tare zeroes on what the basket holds; then taking it out settles negative, reported as such', async () => {
    rig = await scaleRig();
    rig.model.add(300, rig.clock.now());
    await rig.clock.advanceAsync(2000);
    rig.scale.tare();
    assert.equal(rig.scale.reading(), 0);
    rig.model.remove(300, rig.clock.now());
    await rig.clock.advanceAsync(2000);
    const last = rig.settled.at(-1);
    assert.ok(last && Math.abs(last.grams + 300) <= 3 && Math.abs(last.deltaGrams + 300) <= 3, JSON.stringify(last));
    assert.ok(rig.scale.reading() < 0);
  });

  it('refuses to tare while the reading moves (WEIGHT_NOT_SETTLED), and changes nothing', async () => {
    rig = await scaleRig();
    rig.model.add(800, rig.clock.now());
    await rig.clock.advanceAsync(SAMPLE_MS);
    assert.throws(
      () => rig.scale.tare(),
      (err) => isFleetError(err, 'WEIGHT_NOT_SETTLED'),
    );
    await rig.clock.advanceAsync(2000);
    assert.ok(Math.abs(rig.scale.reading() - 800) <= 3, 'the calibration was not touched');
  });

  it('is deterministic under a seed', async () => {
    const run = async (seed: number) => {
      rig = await scaleRig({}, seed);
      const live: (number | undefined)[] = [];
      rig.model.add(500, rig.clock.now());
      for (let i = 0; i < 20; i++) {
        await rig.clock.advanceAsync(SAMPLE_MS);
        live.push(rig.scale.liveGrams());
      }
      rig.scale.stop();
      return live;
    };
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c, 'another seed gives other noise');
  });
});

describe('StabilityDetector', () => {
  it('is steady only once a whole window of samples lies within the spread, and unsteady at the first outlier', () => {
    const detector = new StabilityDetector({ windowMs: 300, maxSpread: 2 });
    const changes: string[] = [];
    const feed = (at: number, value: number) => {
      const change = detector.push(at, [value]);
      if (change) changes.push(`${change.kind}@${at}`);
    };
    for (let at = 0; at <= 250; at += 50) feed(at, 100 + (at % 100 === 0 ? 1 : -1));
    assert.deepEqual(changes, [], 'not steady before the window is covered');
    feed(300, 100);
    assert.deepEqual(changes, ['stable@300']);
    assert.deepEqual(detector.mean(), [100]);
    feed(350, 103);
    assert.deepEqual(changes, ['stable@300', 'unstable@350']);
    for (let at = 400; at <= 600; at += 50) feed(at, 103);
    assert.deepEqual(changes, ['stable@300', 'unstable@350'], 'the step is still in the window');
    feed(650, 103);
    assert.deepEqual(changes, ['stable@300', 'unstable@350', 'stable@650'], 'a window after the step');
  });

  it('takes the largest spread of any component (a vector signal)', () => {
    const detector = new StabilityDetector({ windowMs: 100, maxSpread: 0.03 });
    detector.push(0, [0, 0, 1]);
    detector.push(50, [0.01, 0, 1]);
    assert.equal(detector.push(100, [0, 0.02, 1])?.kind, 'stable');
    assert.equal(detector.push(150, [0, 0, 1.05])?.kind, 'unstable');
  });
});
