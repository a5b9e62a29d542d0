/** Environment the launcher gives the runtime it starts: which slot it booted, and where the OTA state is. */
export const OTA_SLOT_ENV = 'CARTFLEET_OTA_SLOT';
export const OTA_DIR_ENV = 'CARTFLEET_OTA_DIR';
