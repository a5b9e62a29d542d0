import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'mocha';
import { type CartConfigInput, CartConfigSchema } from '../../../devices/cart/cart-config.ts';
import { CartRuntime } from '../../../devices/cart/cart-runtime.ts';
import { cameraReason } from '../../../devices/cart/vision/vision-status.ts';
import { VirtualZoneLocator } from '../../../devices/cart/zone-locator.ts';
import { silentLogger } from '../../../platform/log.ts';
import { FfmpegCamera } from '../../../vision/camera/ffmpeg-camera.ts';
import { VirtualCamera } from '../../../vision/camera/virtual-camera.ts';
import { FakeCamera } from '../../mocks/fake-camera.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const NO_CREDENTIALS = { certificatePem: '', privateKeyPem: '', caPem: '' };

function cart(extra: Partial<CartConfigInput>, vision?: { camera: FakeCamera }): CartRuntime {
  const config = CartConfigSchema.parse({
    thingName: 'cart-camera-1',
    certDir: '/nonexistent',
    dataDir: '/nonexistent',
    screen: { enabled: false },
    ...extra,
  });
  // Never started: only the camera the runtime chose is looked at.
  return new CartRuntime(config, NO_CREDENTIALS, new VirtualZoneLocator(), silentLogger(), undefined, {
    clock: new FakeClock(),
    ...(vision ? { vision } : {}),
  });
}

describe('the cart’s camera from its config', () => {
  it('the example config names ffmpeg on /dev/video0', () => {
    const example = CartConfigSchema.parse(JSON.parse(readFileSync('config.example.cart.json', 'utf8')));
    assert.equal(example.camera?.kind, 'ffmpeg');
    assert.equal(example.camera?.kind === 'ffmpeg' && example.camera.device, '/dev/video0');
  });

  it('an ffmpeg camera on a missing device: the cart gets it, and its status says device-missing with the path', async () => {
    const runtime = cart({ camera: { kind: 'ffmpeg', device: '/nonexistent/video9' } });
    assert.ok(runtime.camera instanceof FfmpegCamera);
    await runtime.camera.start();
    try {
      const status = runtime.camera.status();
      assert.equal(status.reason, 'device-missing');
      assert.match(cameraReason(status), /^device-missing: .*\/nonexistent\/video9/);
    } finally {
      await runtime.camera.stop();
    }
  });

  it('a virtual camera from the config; none without a camera (barcode-only); the options’ camera wins', () => {
    assert.ok(cart({ camera: { kind: 'virtual', seed: 7 } }).camera instanceof VirtualCamera);
    assert.equal(cart({}).camera, null);
    const own = new FakeCamera();
    assert.equal(cart({ camera: { kind: 'ffmpeg' } }, { camera: own }).camera, own);
  });

  it('refuses an unknown camera kind', () => {
    assert.throws(
      () =>
        CartConfigSchema.parse({ thingName: 'cart-camera-1', certDir: '/x', dataDir: '/x', camera: { kind: 'usb' } }),
      /camera/,
    );
  });
});
