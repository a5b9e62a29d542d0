/**
 * An asset's waveform preview (the library's peaks, 0..1) as mirrored bars; `progress` (0..1) tints what has played.
 * SVG: it scales with the cell and prints crisp.
 */
export function Waveform({
  peaks,
  progress = 0,
  width = 240,
  height = 36,
}: {
  peaks: readonly number[];
  progress?: number;
  width?: number;
  height?: number;
}) {
  const n = Math.max(1, peaks.length);
  const step = width / n;
  const mid = height / 2;
  return (
    <svg
      class="waveform"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      preserveAspectRatio="none"
      role="img"
      aria-label="Waveform"
      data-testid="waveform"
      data-points={peaks.length}
    >
      {peaks.map((p, i) => {
        const h = Math.max(1, p * (height - 2));
        return (
          <rect
            key={i}
            x={i * step}
            y={mid - h / 2}
            width={Math.max(0.5, step * 0.7)}
            height={h}
            class={i / n < progress ? 'wave-played' : 'wave-bar'}
          />
        );
      })}
    </svg>
  );
}
