// "Keys made in a browser": which keys this browser holds, and "Back up all my keys" (one
// PKCS#12 with every key that opens with the passphrase, built here).
import { bundleEntry, fetchJson, loadCrypto, onBundleSubmit, openKey, saveFile } from "./browser-crypto.js";

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
    cell.textContent = held === null ? "cannot tell (no IndexedDB)" : held.has(row.dataset.spki) ? "yes" : "no";
  }
}
markHeldKeys();

const plural = (count) => `${count} key${count > 1 ? "s" : ""}`;

const form = document.querySelector("form[data-backup-all]");
if (form) {
  onBundleSubmit(form, async ({ password, profile, report }) => {
    const passphrase = form.querySelector("[data-key-passphrase]").value;
    report.busy("Opening the keys…");
    const { certificates } = await fetchJson(form.dataset.materialUrl);
    const entries = [];
    const missing = [];
    for (const material of certificates) {
      try {
        entries.push(bundleEntry(lib, material, await openKey(lib, material, { passphrase })));
      } catch (error) {
        missing.push(`${material.label}: ${error.message}`);
      }
    }
    if (!entries.length) throw new Error(`No key could be opened. ${missing.join(" ")}`);
    report.busy(`Building one bundle with ${plural(entries.length)}…`);
    const p12 = await lib.buildPkcs12(entries, password, profile);
    const today = new Date().toISOString().slice(0, 10);
    saveFile(p12, `smime-keys-${today}-${profile}.p12`, "application/x-pkcs12");
    const summary = `The backup holds ${plural(entries.length)} with their certificates.`;
    if (missing.length) report.fail(`${summary} Left out: ${missing.join(" ")}`);
    else report.done(summary);
  });
}
