/** The version of @dynamis/core, checked against each plugin's `core` range (kept equal to package.json by a test). */
export const CORE_VERSION = '0.1.0';
