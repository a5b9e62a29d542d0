/**
 * `SETTLE_MS CERT_DIR [--vision ...]`: one cart runtime for bench/cart-memory-vision.ts, in its own process: a virtual board, its screen server on, an
 * ffmpeg camera on a device that is not there (a real cart's camera code, no renderer), offline (its broker does
 * not answer). With `--vision MODEL_FILE METADATA_JSON GALLERY_FILE`: the model swapped into its SwappableModel
 * (worker thread) and the gallery into its SwappableGallery, as the OTA agent does. After the settle time, prints
 * one JSON line: its memory from /proc and the recognizer's status.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CartConfigSchema } from '../../devices/cart/cart-config.ts';
import { CartRuntime } from '../../devices/cart/cart-runtime.ts';
import { VirtualZoneLocator } from '../../devices/cart/zone-locator.ts';
import { silentLogger } from '../../platform/log.ts';
import type { ModelMetadata } from '../../protocol/ota/model.ts';
import { readProcessMemory } from '../lib/cart-launch.ts';

const args = process.argv.slice(2);
const settleMs = Number(args[0] ?? 5000);
/** cert.pem and key.pem: a throwaway certificate (the MQTT client's TLS context needs one; no broker answers). */
const certDir = args[1] as string;
const vision = args[2] === '--vision' ? { model: args[3]!, metadata: args[4]!, gallery: args[5]! } : null;
const dir = mkdtempSync(join(tmpdir(), 'cartfleet-bench-cartmem-'));
const config = CartConfigSchema.parse({
  thingName: 'cart-memory-vision',
  endpoint: { host: '127.0.0.1', port: 9 },
  certDir: dir,
  dataDir: join(dir, 'data'),
  reconnect: { minSeconds: 30, maxSeconds: 30 },
  screen: { enabled: true, port: 0 },
  camera: { kind: 'ffmpeg', device: '/nonexistent/video0' },
});
const runtime = new CartRuntime(
  config,
  {
    certificatePem: readFileSync(join(certDir, 'cert.pem'), 'utf8'),
    privateKeyPem: readFileSync(join(certDir, 'key.pem'), 'utf8'),
    caPem: readFileSync(join(certDir, 'cert.pem'), 'utf8'),
  },
  new VirtualZoneLocator(),
  silentLogger(),
);
await runtime.start();
if (vision) {
  const metadata = JSON.parse(readFileSync(vision.metadata, 'utf8')) as {
    name: string;
    version: string;
    metadata: ModelMetadata;
  };
  await runtime.model.swap(vision.model, metadata.metadata, { name: metadata.name, version: metadata.version });
  await runtime.gallery.swap(vision.gallery);
}
await new Promise((resolve) => setTimeout(resolve, settleMs));
(globalThis as { gc?: () => void }).gc?.();
await new Promise((resolve) => setTimeout(resolve, 500));
const memory = readProcessMemory(process.pid);
process.stdout.write(
  `${JSON.stringify({ ...memory, gallery: runtime.gallery.header?.products.length ?? 0, model: runtime.model.release })}\n`,
);
process.exit(0);
