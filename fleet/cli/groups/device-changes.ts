import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DeviceSummary, RegisteredDevice, Shadow } from '../../../protocol/api/devices.ts';
import { BUNDLE_FILES, writeCertificateBundle } from '../../identity/certificate-bundle.ts';
import { certificateIdOf } from '../../pki/certificate-authority.ts';
import type { CliContext } from '../cli-context.ts';
import { integerOption } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';

const DEFAULT_MODEL: Record<string, string> = { cart: 'SC-200', speaker: 'BX-100' };

/**
 * Registers through the API and writes the bundle as `fleetctl local devices add` does. The private key goes only
 * to `key.pem` (0600): it is left out of every line printed, `--json` included.
 */
export async function addDevice(
  ctx: CliContext,
  thingName: string,
  o: { kind?: string; model?: string; store?: string; zone?: string; tags?: string; out?: string },
): Promise<number> {
  if (!o.kind) throw usageError('missing --kind cart|speaker');
  if (!o.store) throw usageError('missing --store ID (see `fleetctl stores list`)');
  const out = resolve(o.out ?? thingName);
  // Checked before registering: a registration whose key cannot be written is a device that must be revoked.
  if (existsSync(join(out, BUNDLE_FILES.privateKey))) {
    throw usageError(
      `${join(out, BUNDLE_FILES.privateKey)} exists already`,
      'choose another --out, nothing was registered',
    );
  }
  const hardwareModel = o.model ?? DEFAULT_MODEL[o.kind];
  if (!hardwareModel) throw usageError('missing --model');
  const tags = o.tags
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const registration = await ctx.api().post<RegisteredDevice>('/api/devices', {
    thingName,
    kind: o.kind,
    hardwareModel,
    storeId: o.store,
    ...(o.zone ? { zoneId: o.zone } : {}),
    ...(tags ? { tags } : {}),
  });
  const certificateId = certificateIdOf(registration.bundle.certificatePem);
  writeCertificateBundle(out, { thingName, certificateId, ...registration.bundle });
  const files = {
    certificate: join(out, BUNDLE_FILES.certificate),
    privateKey: join(out, BUNDLE_FILES.privateKey),
    ca: join(out, BUNDLE_FILES.ca),
    identity: join(out, BUNDLE_FILES.identity),
  };
  if (ctx.out.json) {
    ctx.out.printJson({ device: registration.device, certificateId, bundle: { dir: out, files } });
    return EXIT.ok;
  }
  ctx.out.table(
    [{ thing: thingName, certificateId, out }],
    [
      { header: 'THING', value: (r) => r.thing },
      { header: 'CERTIFICATE', value: (r) => r.certificateId.slice(0, 16) },
      { header: 'BUNDLE', value: (r) => r.out },
    ],
  );
  ctx.out.note(`Move ${out} to the device (key.pem is its private key) and delete it here.`);
  return EXIT.ok;
}

export async function revokeDevice(ctx: CliContext, thingName: string, reason: string | undefined): Promise<number> {
  if (!reason?.trim()) throw usageError('missing --reason TEXT (kept in the audit log)');
  const device = await ctx
    .api()
    .post<DeviceSummary>(`/api/devices/${encodeURIComponent(thingName)}/revoke`, { reason: reason.trim() });
  if (ctx.out.json) {
    ctx.out.printJson(device);
    return EXIT.ok;
  }
  ctx.out.line(`Revoked every certificate of ${device.thingName}; its connection is dropped.`);
  return EXIT.ok;
}

export async function setDesired(
  ctx: CliContext,
  thingName: string,
  assignments: string[],
  o: { shadow?: string; version?: string },
): Promise<number> {
  if (assignments.length === 0) throw usageError('missing key=value (e.g. volume=40, brightness=null)');
  const desired: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const [key, value] = parseAssignment(assignment);
    desired[key] = value;
  }
  const version = integerOption(o.version, '--version', 1);
  const shadow = await ctx
    .api()
    .patch<Shadow>(
      `/api/devices/${encodeURIComponent(thingName)}/shadow`,
      { desired, ...(version !== undefined ? { version } : {}) },
      { name: o.shadow },
    );
  if (ctx.out.json) {
    ctx.out.printJson(shadow);
    return EXIT.ok;
  }
  ctx.out.fields([
    ['version', shadow.version],
    ['desired', JSON.stringify(shadow.desired ?? {})],
    ['reported', JSON.stringify(shadow.reported ?? {})],
    ['delta', shadow.delta ? JSON.stringify(shadow.delta) : 'none (the device reports what is desired)'],
  ]);
  return EXIT.ok;
}

/**
 * `key=value` → [key, value]. The value is read as JSON when it is JSON (`40`, `true`, `null`, `"40"`, `{"a":1}`),
 * and as text otherwise (`mode=quiet`); `null` deletes the key (shadow semantics).
 */
export function parseAssignment(assignment: string): [string, unknown] {
  const at = assignment.indexOf('=');
  const key = at > 0 ? assignment.slice(0, at).trim() : '';
  if (!key) throw usageError(`'${assignment}' is not key=value`);
  const text = assignment.slice(at + 1);
  try {
    return [key, JSON.parse(text)];
  } catch {
    return [key, text];
  }
}
