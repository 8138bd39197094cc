// What the pages with browser-made keys share: loading the crypto bundle (only when needed: it
// is large), saving a file, reading the portal's JSON, and opening the key of a certificate.
import { gettext, interpolate } from "./i18n.js";

export const loadCrypto = () => import("./dist/browser-keys.js");

// The "needs JavaScript" notes are in the page for browsers without it; this one has it.
export function hideNeedsJavaScript(root = document) {
  for (const note of root.querySelectorAll("[data-needs-js]")) note.hidden = true;
}

export function saveFile(data, filename, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function fetchFromPortal(url, read) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(
      body.detail ||
        interpolate(gettext("The portal answered %(status)s; reload the page and try again."), {
          status: response.status,
        }),
    );
  }
  return read(response);
}

export const fetchJson = (url) => fetchFromPortal(url, (r) => r.json());
const fetchText = (url) => fetchFromPortal(url, (r) => r.text());

// The encrypted key of a certificate: the chosen backup file, else this browser's key store,
// else the owner's copy on the portal. Then opened with the key passphrase.
export async function openKey(lib, material, { file, passphrase }) {
  let text = file ? await file.text() : null;
  let storeError = null;
  if (!text) {
    try {
      text = (await lib.findKey(material.spki_sha256))?.encryptedKey;
    } catch (error) {
      if (error.code !== "no-indexeddb") throw error;
      storeError = error;
    }
  }
  if (!text && material.key_copy_url) text = await fetchText(material.key_copy_url);
  if (!text) {
    throw new Error(
      storeError
        ? storeError.message
        : interpolate(gettext("This browser does not hold the key of %(label)s; choose its key backup file (.key)."), {
            label: material.label,
          }),
    );
  }
  return lib.decryptKey(text, passphrase);
}

export function bundleEntry(lib, material, pkcs8) {
  return {
    pkcs8,
    certificate: lib.pemBlocks(material.certificate_pem, "CERTIFICATE")[0],
    chain: lib.pemBlocks(material.chain_pem, "CERTIFICATE"),
    spkiSha256: material.spki_sha256,
    friendlyName: material.friendly_name,
    label: material.label,
  };
}

// Two bundle passwords that match, or an Error to show.
function bundlePassword(form) {
  const password = form.querySelector("[data-bundle-password]").value;
  if (!password) throw new Error(gettext("Choose a password for the bundle."));
  if (password !== form.querySelector("[data-bundle-again]").value) {
    throw new Error(gettext("The two bundle passwords differ; type them again."));
  }
  return password;
}

const chosenProfile = (form) => form.querySelector("input[data-bundle-profile]:checked")?.value || "legacy";

// Shows a form that builds a PKCS#12 here and runs build({password, profile, report}) on
// submit; whatever it throws is shown in the form.
export function onBundleSubmit(form, build) {
  hideNeedsJavaScript();
  form.hidden = false;
  const report = reporter(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await build({ password: bundlePassword(form), profile: chosenProfile(form), report });
    } catch (error) {
      report.fail(error.message);
    }
  });
}

// A status line and an error box for a long-running step.
export function reporter(root) {
  const status = root.querySelector("[data-status]");
  const error = root.querySelector("[data-error]");
  const progress = root.querySelector("progress");
  return {
    busy(text) {
      error.hidden = true;
      status.textContent = text;
      if (progress) progress.hidden = false;
    },
    done(text = "") {
      status.textContent = text;
      if (progress) progress.hidden = true;
    },
    fail(message) {
      this.done();
      error.textContent = message;
      error.hidden = false;
    },
  };
}
