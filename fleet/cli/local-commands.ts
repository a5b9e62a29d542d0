import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exitOnConfigError } from '../../platform/config-loader.ts';
import { EventBus } from '../../platform/event-bus.ts';
import { createLogger } from '../../platform/log.ts';
import { FleetError } from '../../protocol/errors.ts';
import { loadFleetConfig } from '../config.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { writeCertificateBundle } from '../identity/certificate-bundle.ts';
import { CertificateRepository } from '../identity/certificate-repository.ts';
import { CertificateAuthority, certificateAuthorityOptions } from '../pki/certificate-authority.ts';
import { PolicyRepository } from '../policy/policy-repository.ts';
import { issueClaimCertificate, writeClaimBundle } from '../provisioning/claim-certificate.ts';
import { ensureProvisioningDefaults } from '../provisioning/provisioning-defaults.ts';
import { parseProvisioningTemplate } from '../provisioning/provisioning-template.ts';
import { ProvisioningTemplateRepository } from '../provisioning/template-repository.ts';
import { DeviceRegistry } from '../registry/device-registry.ts';
import { DEVICE_KINDS, type DeviceKind } from '../registry/registry-types.ts';
import { StoreRepository } from '../registry/store-repository.ts';
import { ThingRepository } from '../registry/thing-repository.ts';
import { openDatabase } from '../storage/database.ts';

const USAGE = `fleetctl local — administer the fleet's registry and identities on the data dir (on the fleet host, with or
without a running server; no sign-in). The certificates, policies and provisioning groups work without "local" too.
The commands over the HTTP API (login, devices, commands, alerts, users...) are in \`fleetctl --help\`.

  fleetctl local devices add --thing NAME --kind cart|speaker [--model M] [--store ID] [--zone ID] [--tags a,b]
                             [--policy NAME] [--out DIR]  register a device and write its certificate bundle
  fleetctl local devices list [--kind K] [--store ID]
  fleetctl local devices show NAME
  fleetctl local devices revoke NAME [--reason TEXT]     revoke every certificate of a device
  fleetctl certificates list
  fleetctl certificates revoke ID [--reason TEXT]
  fleetctl policies list
  fleetctl policies put NAME --file POLICY.json          create or update a policy (AWS IoT policy JSON)
  fleetctl policies attach NAME --certificate ID
  fleetctl policies detach NAME --certificate ID
  fleetctl local stores list
  fleetctl provisioning claim --template NAME --out DIR  issue a claim certificate (shared by the devices of a template)
  fleetctl provisioning templates                        list provisioning templates
  fleetctl provisioning templates add --file T.json      create or replace a template (see docs/operations.md)
  fleetctl provisioning pending                          things waiting for a technician's approval

Options: --config FILE (fleet config), --json (machine-readable output)`;

/**
 * `fleetctl local ...`, and the data-dir-only groups without `local` (`args` starts at the group); resolves to the
 * exit code. A FleetError is printed as `error CODE: message` (exit 1); any other error is thrown.
 */
export async function runLocalCli(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      thing: { type: 'string' },
      kind: { type: 'string' },
      model: { type: 'string' },
      store: { type: 'string' },
      zone: { type: 'string' },
      tags: { type: 'string' },
      policy: { type: 'string' },
      out: { type: 'string' },
      reason: { type: 'string' },
      file: { type: 'string' },
      certificate: { type: 'string' },
      template: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

  const [group, action, target] = positionals;
  if (values.help || !group) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }

  let config: ReturnType<typeof loadFleetConfig>;
  try {
    config = loadFleetConfig({ file: values.config });
  } catch (err) {
    exitOnConfigError(err);
  }
  const log = createLogger('fleetctl', process.env.LOG_LEVEL ?? 'warn');
  const ca = new CertificateAuthority(certificateAuthorityOptions(config), log);
  const db = openDatabase(config.dataDir, log);
  const stores = new StoreRepository(db);
  const certificates = new CertificateRepository(db);
  const policies = new PolicyRepository(db);
  const templates = new ProvisioningTemplateRepository(db);
  const registry = new DeviceRegistry(
    db,
    stores,
    new ThingRepository(db),
    certificates,
    policies,
    ca,
    new EventBus<FleetEvents>(log),
    log,
  );

  const print = (value: unknown, table?: Record<string, unknown>[]) => printResult(values.json, value, table);

  try {
    await ca.start({ serverCertificate: false });
    registry.start();
    switch (`${group} ${action ?? ''}`.trim()) {
      case 'devices add': {
        const kind = need(values.kind, '--kind') as DeviceKind;
        if (!DEVICE_KINDS.includes(kind))
          throw new FleetError('BAD_REQUEST', `--kind must be one of ${DEVICE_KINDS.join(', ')}`);
        const thingName = need(values.thing ?? target, '--thing');
        const registration = await registry.registerDevice(
          {
            thingName,
            kind,
            hardwareModel: values.model ?? (kind === 'cart' ? 'SC-200' : 'BX-100'),
            storeId: values.store ?? null,
            zoneId: values.zone ?? null,
            tags: values.tags ? values.tags.split(',').filter(Boolean) : [],
          },
          values.policy,
        );
        const out = resolve(values.out ?? join(config.dataDir, 'devices', thingName));
        writeCertificateBundle(out, {
          thingName,
          certificateId: registration.certificate.certificateId,
          certificatePem: registration.certificate.certificatePem,
          privateKeyPem: registration.certificate.privateKeyPem,
          caPem: registration.caPem,
        });
        print(
          {
            thingName,
            certificateId: registration.certificate.certificateId,
            policy: registration.policyName,
            bundle: out,
          },
          [
            {
              thing: thingName,
              certificate: registration.certificate.certificateId.slice(0, 16),
              policy: registration.policyName,
              bundle: out,
            },
          ],
        );
        return 0;
      }
      case 'provisioning claim': {
        ensureProvisioningDefaults(templates, policies);
        const templateName = need(values.template, '--template');
        const claim = await issueClaimCertificate({ db, ca, certificates, policies, templates }, templateName);
        const out = resolve(values.out ?? join(config.dataDir, 'claims', templateName));
        writeClaimBundle(out, claim);
        print({ templateName, certificateId: claim.certificateId, policy: claim.policyName, bundle: out }, [
          {
            template: templateName,
            certificate: claim.certificateId.slice(0, 16),
            policy: claim.policyName,
            bundle: out,
          },
        ]);
        return 0;
      }
      case 'provisioning templates': {
        ensureProvisioningDefaults(templates, policies);
        if (target === 'add') {
          const template = parseProvisioningTemplate(JSON.parse(readFileSync(need(values.file, '--file'), 'utf8')));
          if (!policies.get(template.policyName)) {
            throw new FleetError('POLICY_NOT_FOUND', `no policy '${template.policyName}'`);
          }
          const stored = templates.put(template);
          print(stored, [{ name: stored.name, pattern: stored.thingNamePattern, policy: stored.policyName }]);
          return 0;
        }
        const list = templates.list();
        print(
          list,
          list.map((t) => ({
            name: t.name,
            enabled: t.enabled,
            approval: t.requiresApproval ? 'required' : 'no',
            pattern: t.thingNamePattern,
            policy: t.policyName,
            parameters: Object.keys(t.parameters).join(','),
          })),
        );
        return 0;
      }
      case 'provisioning pending': {
        const pending = registry.listThings({ provisioning: 'pending-approval' });
        print(
          pending,
          pending.map((t) => ({ thing: t.thingName, template: t.provisioningTemplate, store: t.storeId })),
        );
        return 0;
      }
      case 'devices list': {
        const things = registry.listThings({
          kind: values.kind as DeviceKind | undefined,
          storeId: values.store,
        });
        print(
          things,
          things.map((t) => ({
            thing: t.thingName,
            kind: t.kind,
            model: t.hardwareModel,
            store: t.storeId,
            zone: t.zoneId,
            tags: t.tags.join(','),
          })),
        );
        return 0;
      }
      case 'devices show': {
        const thing = registry.getThing(need(target, 'NAME'));
        if (!thing) throw new FleetError('THING_NOT_FOUND', `no device '${target}'`);
        const certificates = registry.certificatesOf(thing.thingName).map(({ certificatePem: _p, ...c }) => c);
        print({ ...thing, certificates });
        return 0;
      }
      case 'devices revoke': {
        const ids = registry.revokeThing(need(target, 'NAME'), values.reason);
        print(
          { revoked: ids },
          ids.map((id) => ({ revoked: id })),
        );
        return 0;
      }
      case 'certificates list': {
        const certs = registry.listCertificates();
        print(
          certs.map(({ certificatePem: _p, ...c }) => c),
          certs.map((c) => ({
            id: c.certificateId,
            subject: c.subjectCn,
            status: c.status,
            expires: new Date(c.notAfter).toISOString().slice(0, 10),
          })),
        );
        return 0;
      }
      case 'certificates revoke': {
        registry.revokeCertificate(need(target, 'ID'), values.reason);
        print({ revoked: target }, [{ revoked: target }]);
        return 0;
      }
      case 'policies list': {
        const policies = registry.listPolicies();
        print(
          policies,
          policies.map((p) => ({ name: p.name, version: p.version, updated: new Date(p.updatedAt).toISOString() })),
        );
        return 0;
      }
      case 'policies put': {
        const name = need(target, 'NAME');
        const record = registry.putPolicy(name, readFileSync(need(values.file, '--file'), 'utf8'));
        print(record, [{ name: record.name, version: record.version }]);
        return 0;
      }
      case 'policies attach':
      case 'policies detach': {
        const name = need(target, 'NAME');
        const certificateId = need(values.certificate, '--certificate');
        if (action === 'attach') registry.attachPolicy(name, certificateId);
        else registry.detachPolicy(name, certificateId);
        print({ policy: name, certificateId, [action as string]: true }, [
          { policy: name, certificate: certificateId, done: action },
        ]);
        return 0;
      }
      case 'stores list': {
        const list = stores.listStores();
        print(
          list.map((s) => ({ ...s, zones: stores.listZones(s.id) })),
          list.map((s) => ({ id: s.id, name: s.name, timeZone: s.timeZone, zones: stores.listZones(s.id).length })),
        );
        return 0;
      }
      default:
        process.stderr.write(`unknown command: ${positionals.join(' ')}\n\n${USAGE}\n`);
        return 2;
    }
  } catch (err) {
    if (!(err instanceof FleetError)) throw err;
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    return 1;
  } finally {
    db.close();
  }
}

function printResult(json: boolean, value: unknown, table?: Record<string, unknown>[]): void {
  if (json || !table) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  if (table.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const columns = Object.keys(table[0] as object);
  const widths = columns.map((c) => Math.max(c.length, ...table.map((row) => String(row[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of table) process.stdout.write(`${line(columns.map((c) => String(row[c] ?? '')))}\n`);
}

function need(value: string | undefined, name: string): string {
  if (!value) throw new FleetError('BAD_REQUEST', `missing ${name}`);
  return value;
}
