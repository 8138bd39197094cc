// "Keys made in a browser": which keys this browser holds, and "Back up all my keys" (one
// PKCS#12 with every key that opens with the passphrase, built here).
import { bundleEntry, fetchJson, loadCrypto, onBundleSubmit, openKey, saveFile } from "./browser-crypto.js";
import { gettext, interpolate, ngettext } from "./i18n.js";

const lib = await loadCrypto();

async function markHeldKeys() {
  let held;
  try {
    held = new Set((await lib.listKeys()).map((record) => record.spkiSha256));
  } catch {
    held = null; // no IndexedDB: the column says so
  }
  for (const row of document.querySelectorAll("tr[data-spki]")) {
    const cell = row.querySelector("[data-held]");
    cell.textContent =
      held === null ? gettext("cannot tell (no IndexedDB)") : held.has(row.dataset.spki) ? gettext("yes") : gettext("no");
  }
}
markHeldKeys();

const form = document.querySelector("form[data-backup-all]");
if (form) {
  onBundleSubmit(form, async ({ password, profile, report }) => {
    const passphrase = form.querySelector("[data-key-passphrase]").value;
    report.busy(gettext("Opening the keys…"));
    const { certificates } = await fetchJson(form.dataset.materialUrl);
    const entries = [];
    const missing = [];
    for (const material of certificates) {
      try {
        entries.push(bundleEntry(lib, material, await openKey(lib, material, { passphrase })));
      } catch (error) {
        missing.push(interpolate(gettext("%(label)s: %(reason)s"), { label: material.label, reason: error.message }));
      }
    }
    const reasons = missing.join(" ");
    if (!entries.length) throw new Error(interpolate(gettext("No key could be opened. %(reasons)s"), { reasons }));
    const count = entries.length;
    report.busy(
      interpolate(ngettext("Building one bundle with %(count)s key…", "Building one bundle with %(count)s keys…", count), {
        count,
      }),
    );
    const p12 = await lib.buildPkcs12(entries, password, profile);
    const today = new Date().toISOString().slice(0, 10);
    saveFile(p12, `smime-keys-${today}-${profile}.p12`, "application/x-pkcs12");
    const summary = interpolate(
      ngettext(
        "The backup holds %(count)s key with their certificates.",
        "The backup holds %(count)s keys with their certificates.",
        count,
      ),
      { count },
    );
    if (missing.length) report.fail(`${summary} ${interpolate(gettext("Left out: %(reasons)s"), { reasons })}`);
    else report.done(summary);
  });
}
