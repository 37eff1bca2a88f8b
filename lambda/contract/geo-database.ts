/**
 * The country database `pipeline.enrich.geo` uses when a source names none: the CC0 MMDB of
 * `@ip-location-db/geo-whois-asn-country-mmdb` (IPv4 and IPv6, ~8 MB; data of the regional internet
 * registries, attribution to NRO: docs/privacy.md "Enrichment"). lib/constructs/collector-function.ts
 * copies it next to `index.js` as {@link GEO_DATABASE_FILE}; from the sources (tsx, jest) it is
 * read where npm installed it, {@link GEO_DATABASE_PACKAGE_PATH}.
 */
export const GEO_DATABASE_FILE = 'geo-country.mmdb';

/** The bundled database inside node_modules, as `require.resolve` takes it. */
export const GEO_DATABASE_PACKAGE_PATH =
  '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb';
