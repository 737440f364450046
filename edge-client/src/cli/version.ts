/** This edge client's release, as its device_status events report it (package.json's version). */
export const DAEMON_VERSION = '0.1.0';
