/**
 * Exit codes a device runtime ends with, and what its supervisor (the OTA launcher, or systemd) does with them. One
 * table for the runtime (devices/core) and the launcher (ota/agent/launcher.ts), which may not import each other.
 */

/**
 * A commanded reboot or an OTA switch: start the runtime again. EX_TEMPFAIL: not 0, so a service manager set to
 * restart on failure (systemd `Restart=on-failure`) brings the runtime back, and not 78 (EX_CONFIG), which means "do
 * not retry".
 */
export const REBOOT_EXIT_CODE = 75;

/** An invalid config (EX_CONFIG): starting again would not help. */
export const CONFIG_EXIT_CODE = 78;
