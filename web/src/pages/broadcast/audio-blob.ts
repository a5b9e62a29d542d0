/**
 * A preview's WAV (base64 in the JSON answer) as a `blob:` URL for an `<audio>` element; the fleet's
 * Content-Security-Policy allows `blob:` as a media source for this. Revoke it when the preview is replaced.
 */
export function audioBlobUrl(audio: { mimeType: string; base64: string }): string {
  const binary = atob(audio.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: audio.mimeType }));
}
