// The page scripts' strings, translated through Django's JavaScript catalog (/jsi18n/, which
// base.html loads before them). Read at call time, and English if the catalog did not load:
// a blocked or failed request must not stop the page's scripts.
export function gettext(text) {
  return typeof globalThis.gettext === "function" ? globalThis.gettext(text) : text;
}

export function ngettext(singular, plural, count) {
  if (typeof globalThis.ngettext === "function") return globalThis.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

// Named placeholders only (%(name)s): translators may reorder them.
export function interpolate(format, values) {
  if (typeof globalThis.interpolate === "function") return globalThis.interpolate(format, values, true);
  return format.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
}
