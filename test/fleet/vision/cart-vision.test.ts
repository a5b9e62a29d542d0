import assert from 'node:assert/strict';
import { cartVision } from '../../../fleet/vision/cart-vision.ts';

const slot = (name: string, version: string) => ({ name, version, sha256: 'a'.repeat(64) });

describe('cartVision', () => {
  it('reads the model and gallery a cart runs from its ota shadow: the slot on trial, else the active one', () => {
    const view = cartVision('cart-1', true, {
      components: {
        model: { active: 'a', a: slot('product-embedder', '1.2.0'), b: slot('product-embedder', '1.3.0'), trial: 'b' },
        gallery: { active: 'b', a: null, b: slot('gallery-s1', '7.0.0'), trial: null },
      },
      job: { jobId: 'j1', step: 'health-check' },
      lastRollback: null,
    });
    assert.deepEqual(view, {
      thingName: 'cart-1',
      online: true,
      model: { name: 'product-embedder', version: '1.3.0', slot: 'b', onTrial: true },
      gallery: { name: 'gallery-s1', version: '7.0.0', slot: 'b', onTrial: false },
      galleryVersion: 7,
      job: { jobId: 'j1', step: 'health-check' },
    });
  });

  it('answers nulls for a cart that reported nothing, or an empty slot', () => {
    assert.deepEqual(cartVision('cart-2', false, null), {
      thingName: 'cart-2',
      online: false,
      model: null,
      gallery: null,
      galleryVersion: null,
      job: null,
    });
    const empty = cartVision('cart-3', true, {
      components: { gallery: { active: 'a', a: null, b: null, trial: null } },
    });
    assert.equal(empty.gallery, null);
    assert.equal(empty.galleryVersion, null);
  });
});

const productSlot = (version: string) => ({ name: 'product-embedder', version, sha256: 'c'.repeat(64) });

describe('cartVision: a cart model and gallery from its ota shadow', () => {
  it('reads no trial when the shadow dropped the reported null (null deletes the key in a shadow merge)', () => {
    const v = cartVision('cart-1', true, {
      components: {
        model: { active: 'a', a: productSlot('1.0.0'), b: null },
        gallery: { active: 'b', b: { ...productSlot('3.0.0'), name: 'gallery-s' } },
      },
    });
    assert.deepEqual(v.model, { name: 'product-embedder', version: '1.0.0', slot: 'a', onTrial: false });
    assert.equal(v.gallery?.onTrial, false);
    assert.equal(v.galleryVersion, 3);
    assert.equal(v.job, null);
  });

  it('reads the slot on trial when there is one', () => {
    const v = cartVision('cart-1', true, {
      components: { model: { active: 'a', a: productSlot('1.0.0'), b: productSlot('1.1.0'), trial: 'b' } },
    });
    assert.deepEqual(v.model, { name: 'product-embedder', version: '1.1.0', slot: 'b', onTrial: true });
    assert.equal(v.gallery, null);
    assert.equal(v.galleryVersion, null);
  });
});
