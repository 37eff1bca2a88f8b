/**
 * Lazy module `device-parser` (lambda/contract/lazy-modules.ts): `ua-parser-js` 1.x (MIT; 2.x is
 * AGPL, so it stays on 1.x), the user-agent parser of sources with `pipeline.enrich.device`.
 */
import UAParser = require('ua-parser-js');

export { UAParser };
