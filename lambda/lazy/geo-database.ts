/**
 * Lazy module `geo-database` (lambda/contract/lazy-modules.ts): the MMDB reader (`mmdb-lib`, MIT)
 * sources with `pipeline.enrich.geo` look client IPs up with. Vendor code only: the database file
 * is read by lambda/events/enrichment-lookups.ts.
 */
export { Reader } from 'mmdb-lib';
