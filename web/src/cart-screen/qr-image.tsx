/**
 * A QR code the cart drew as an SVG document (the `qrcode` package). Shown through <img> with a data: URL, never
 * as markup in the page: an image's SVG runs no script and reaches nothing, whatever the string holds.
 */
export function QrImage({ svg, label, testId }: { svg: string; label: string; testId?: string }) {
  return (
    <img
      class="cs-qr"
      data-testid={testId}
      alt={label}
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
    />
  );
}
