import { BROADCAST_LAYERS, type BroadcastLayer } from '../../../../protocol/broadcast/layers.ts';

/** Labels and colours of the priority layers (protocol/broadcast/layers.ts), lowest first, as every view shows them. */
export const LAYER_LABELS: Record<BroadcastLayer, string> = {
  ambient: 'Ambient music',
  hq_campaign: 'HQ campaign',
  store_campaign: 'Store campaign',
  holiday: 'Holiday override',
  adhoc: 'Ad-hoc insert',
  emergency: 'Emergency',
};

export const LAYER_COLOURS: Record<BroadcastLayer, string> = {
  ambient: '#8fb8a8',
  hq_campaign: '#1f6feb',
  store_campaign: '#7a4cc2',
  holiday: '#e69500',
  adhoc: '#0f9d9a',
  emergency: '#c8322b',
};

export function isLayer(value: unknown): value is BroadcastLayer {
  return typeof value === 'string' && (BROADCAST_LAYERS as readonly string[]).includes(value);
}

export function LayerChip({ layer }: { layer: BroadcastLayer }) {
  return (
    <span class="layer-chip" style={{ '--layer': LAYER_COLOURS[layer] }} data-layer={layer}>
      {LAYER_LABELS[layer]}
    </span>
  );
}
