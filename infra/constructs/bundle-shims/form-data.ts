/**
 * What `form-data` resolves to inside the function bundles (see BUNDLE_ALIASES in ../bundle-options.ts): Node's own
 * spec-compliant `FormData`, which axios' Node build accepts as well (its http adapter streams any spec FormData).
 * The npm package would bring `mime-types` and its 134 KiB `mime-db` into every bundle for multipart bodies the
 * bridge never sends (it sends JSON and `application/x-www-form-urlencoded` only).
 */
export default globalThis.FormData;
