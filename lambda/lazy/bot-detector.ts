/**
 * Lazy module `bot-detector` (lambda/contract/lazy-modules.ts): `isbot` (Unlicense), the crawler
 * user-agent patterns sources with `pipeline.enrich.bot` check. Vendor code only.
 */
export { isbot } from 'isbot';
