// Certificate page: copy button for the openssl command; renewal options follow the choice;
// a renewal with a key made in this browser; "Build PKCS#12 in this browser"; after a bundle
// download, a line that says what to do with the file (the guides list is there without it).
import { bundleEntry, fetchJson, loadCrypto, onBundleSubmit, openKey, saveFile } from "./browser-crypto.js";
import { enableCopyButtons } from "./copy.js";
import { gettext } from "./i18n.js";
import { setUpKeygen } from "./keygen.js";

enableCopyButtons();

const renew = document.getElementById("renew");
if (renew) {
  const form = renew.querySelector("form");
  const csrFields = ["id_csr_pem", "id_csr_file"].map((id) => document.getElementById(id)?.closest(".field"));
  const keyType = document.getElementById("id_key_type")?.closest(".field");
  const browserPart = renew.querySelector("[data-renew-browser]");
  const mode = () => renew.querySelector("input[name=mode]:checked")?.value || "new";
  const update = () => {
    for (const field of csrFields) if (field) field.hidden = mode() !== "upload";
    if (keyType) keyType.hidden = mode() !== "new";
    browserPart.hidden = mode() !== "browser";
    // A hidden passphrase typed too short must not hold up sending another kind of renewal.
    for (const input of browserPart.querySelectorAll("input")) input.disabled = browserPart.hidden;
  };
  renew.addEventListener("change", update);
  update();
  let material = null;
  const loadMaterial = () => (material ||= fetchJson(form.dataset.materialUrl));
  setUpKeygen(form, {
    active: () => mode() === "browser",
    email: async () => (await loadMaterial()).email,
    subject: async () => (await loadMaterial()).renewal_subject,
  });
}

const bundleForm = document.querySelector("form[data-bundle]");
if (bundleForm) {
  onBundleSubmit(bundleForm, async ({ password, profile, report }) => {
    report.busy(gettext("Opening the key…"));
    const lib = await loadCrypto();
    const material = await fetchJson(bundleForm.dataset.materialUrl);
    const pkcs8 = await openKey(lib, material, {
      file: bundleForm.querySelector("[data-key-file]").files[0],
      passphrase: bundleForm.querySelector("[data-key-passphrase]").value,
    });
    report.busy(gettext("Building the bundle…"));
    const p12 = await lib.buildPkcs12([bundleEntry(lib, material, pkcs8)], password, profile);
    saveFile(p12, `${material.file_stem}-${profile}.p12`, "application/x-pkcs12");
    report.done(gettext("The bundle is built and saved by your browser."));
    tellWhatNext();
  });
}

// The server's bundle arrives as a download and the page stays; a refused form (wrong
// password) answers with a new page instead, which replaces this line anyway.
document.querySelector("form[data-server-bundle]")?.addEventListener("submit", tellWhatNext);

// The sentence is the template's (translated); this shows it where the guides are.
function tellWhatNext() {
  const status = document.querySelector("[data-download-status]");
  if (!status) return;
  status.textContent = status.dataset.downloadStatus;
  status.closest(".after-download")?.classList.add("downloaded");
}
