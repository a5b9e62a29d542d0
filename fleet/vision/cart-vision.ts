import type { CartVision } from '../../protocol/api/vision.ts';
import type { ComponentSlots, OtaReported } from '../../protocol/ota/device-ota.ts';

/** What one component's slots hold active (or on trial), as the vision view shows it. */
function running(slots: ComponentSlots | undefined): CartVision['model'] {
  if (!slots) return null;
  const slot = slots.trial ?? slots.active;
  const content = slots[slot];
  if (!content) return null;
  // The shadow drops a reported null (AWS's merge: null deletes the key), so "no trial" arrives as an absent `trial`.
  return {
    name: content.name,
    version: content.version,
    slot,
    onTrial: slots.trial !== null && slots.trial !== undefined,
  };
}

/**
 * Which model and gallery a cart runs, from the `reported` of its named shadow `ota` (the agent reports its slots
 * there): the slot on trial if one is, else the active one. A gallery's version is its release's major version
 * (`galleryReleaseVersion`). Nothing reported yet: nulls.
 */
export function cartVision(thingName: string, online: boolean, reported: unknown): CartVision {
  const ota = (reported ?? null) as Partial<OtaReported> | null;
  const components = ota?.components ?? {};
  const gallery = running(components.gallery);
  const major = gallery ? Number.parseInt(gallery.version.split('.')[0] ?? '', 10) : Number.NaN;
  return {
    thingName,
    online,
    model: running(components.model),
    gallery,
    galleryVersion: Number.isInteger(major) && major >= 1 ? major : null,
    job: ota?.job ?? null,
  };
}
