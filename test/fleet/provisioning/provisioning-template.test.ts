import assert from 'node:assert/strict';
import {
  defaultTemplates,
  parseProvisioningTemplate,
  resolveRegistration,
} from '../../../fleet/provisioning/provisioning-template.ts';
import { isFleetError } from '../../../protocol/errors.ts';

describe('provisioning templates', () => {
  const cart = parseProvisioningTemplate({
    name: 'cart-test',
    thingNamePattern: 'cart-{SerialNumber}',
    deviceKind: 'cart',
    parameters: { SerialNumber: { required: true }, StoreId: { required: false }, HardwareModel: { required: false } },
  });

  const invalidParameters =
    (...fragments: string[]) =>
    (err: unknown) =>
      isFleetError(err, 'PROVISIONING_PARAMETERS_INVALID') &&
      fragments.every((f) => ((err as { details: string[] }).details ?? []).some((d) => d.includes(f)));

  it('names the thing from its parameters, takes its store from StoreId and defaults the model', () => {
    assert.deepEqual(resolveRegistration(cart, { SerialNumber: 'SN-1', StoreId: 'hf-shanghai-xuhui' }), {
      thingName: 'cart-SN-1',
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: 'hf-shanghai-xuhui',
    });
    assert.equal(resolveRegistration(cart, { SerialNumber: 'SN-1', HardwareModel: 'SC-210' }).hardwareModel, 'SC-210');
    assert.equal(resolveRegistration(cart, { SerialNumber: 'SN-1' }).storeId, null);
  });

  it('refuses parameters the template does not allow, bad values and missing required ones, all at once', () => {
    assert.throws(
      () => resolveRegistration(cart, { SerialNumber: 'bad serial', Color: 'red', StoreId: 'Upper' }),
      invalidParameters('SerialNumber: must be', 'Color: not a parameter', 'StoreId: must be'),
    );
    assert.throws(() => resolveRegistration(cart, {}), invalidParameters('SerialNumber: required'));
    assert.throws(
      () => resolveRegistration(cart, { SerialNumber: 'SN-1', DeviceKind: 'speaker' }),
      invalidParameters('DeviceKind'),
    );
  });

  it("refuses parameter names every object has (constructor, __proto__) as the template's, not with a TypeError", () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const parameters = JSON.parse(`{"SerialNumber": "SN-1", "${name}": "x"}`) as Record<string, string>;
      assert.throws(() => resolveRegistration(cart, parameters), invalidParameters(`${name}: not a parameter`));
    }
  });

  it('takes the kind from DeviceKind when the template fixes none', () => {
    const any = parseProvisioningTemplate({
      name: 'any-kind',
      thingNamePattern: '{DeviceKind}-{SerialNumber}',
      parameters: { SerialNumber: { required: true }, DeviceKind: { required: true } },
    });
    assert.deepEqual(resolveRegistration(any, { SerialNumber: '7', DeviceKind: 'speaker' }), {
      thingName: 'speaker-7',
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: null,
    });
    assert.throws(
      () => resolveRegistration(any, { SerialNumber: '7', DeviceKind: 'toaster' }),
      invalidParameters('DeviceKind'),
    );
  });

  it('refuses templates whose names could collide or not resolve', () => {
    const bad = [
      { thingNamePattern: 'cart-fixed' }, // every device the same thing
      { thingNamePattern: 'cart-{StoreId}' }, // optional parameter in the name
      { thingNamePattern: 'cart-{Color}' }, // not a parameter
      { thingNamePattern: 'cart {SerialNumber}' }, // not a thing name character
      { deviceKind: null }, // no way to know the kind
      { name: 'has spaces' },
    ];
    for (const change of bad) {
      assert.throws(
        () =>
          parseProvisioningTemplate({
            name: 'cart-test',
            thingNamePattern: 'cart-{SerialNumber}',
            deviceKind: 'cart',
            parameters: { SerialNumber: { required: true }, StoreId: { required: false } },
            ...change,
          }),
        (err) => isFleetError(err, 'PROVISIONING_TEMPLATE_INVALID'),
        JSON.stringify(change),
      );
    }
  });

  it('never names a thing into the claim client-id prefix, whether the template or a parameter spells it', () => {
    const bySerial = parseProvisioningTemplate({
      name: 'serial-test',
      thingNamePattern: 'p{SerialNumber}',
      deviceKind: 'cart',
      parameters: { SerialNumber: { required: true } },
    });
    assert.throws(() => resolveRegistration(bySerial, { SerialNumber: 'rovision-1' }), invalidParameters('reserved'));
    assert.equal(resolveRegistration(bySerial, { SerialNumber: 'rovision_1' }).thingName, 'provision_1');
    assert.throws(
      () =>
        parseProvisioningTemplate({
          name: 'reserved-test',
          thingNamePattern: 'provision-cart-{SerialNumber}',
          deviceKind: 'cart',
          parameters: { SerialNumber: { required: true } },
        }),
      (err) =>
        isFleetError(err, 'PROVISIONING_TEMPLATE_INVALID') &&
        (err as { details: string[] }).details.some((d) => d.startsWith('thingNamePattern:') && d.includes('reserved')),
    );
  });

  it('the default templates are valid, and only the speaker one waits for approval', () => {
    assert.deepEqual(
      defaultTemplates().map((t) => [t.name, t.requiresApproval]),
      [
        ['cart-default', false],
        ['speaker-default', true],
      ],
    );
  });
});
