/**
 * The compiled folders a device runtime needs in its software bundle (tsconfig.devices.json's output and what it
 * imports); a folder absent from the build is left out. One list for every bundle builder (the CLI's and the demo's).
 */
export const DEVICE_RUNTIME_FOLDERS = ['devices', 'protocol', 'platform', 'commerce', 'broadcast', 'ota', 'vision'];
