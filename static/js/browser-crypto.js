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

// What is said of a secret chosen here; functions, so the catalog is read when it is checked.
const secretTexts = {
  key: () => ({
    empty: gettext("Choose a key passphrase."),
    short: gettext(
      "The key passphrase needs at least %(minimum)s characters (this one has %(length)s): anyone who gets a copy of the key backup can guess at it offline, without a lockout. A few words make a passphrase that is long and easy to type.",
    ),
    differ: gettext("The two key passphrases differ; type them again."),
  }),
  bundle: () => ({
    empty: gettext("Choose a password for the bundle."),
    short: gettext(
      "The bundle password needs at least %(minimum)s characters (this one has %(length)s): anyone who gets a copy of the file can guess at it offline, without a lockout. A few words make a password that is long and easy to type.",
    ),
    differ: gettext("The two bundle passwords differ; type them again."),
  }),
};

// Counted as the portal counts them (code points, not UTF-16 units), so both agree.
const characters = (text) => [...text].length;

// A key passphrase or bundle password being chosen (kind "key" or "bundle"), typed in `input`
// and again in `again`: returned if given, long enough and the same twice; otherwise the reason
// is shown under the input at fault and thrown. The minimum is the input's minlength, which
// the portal writes from its PKCS#12 password minimum, so the page has no number of its own.
export function checkNewSecret(input, again, kind) {
  for (const field of [input, again]) clearFieldError(field);
  const texts = secretTexts[kind]();
  const value = input.value;
  const length = characters(value);
  let problem = null;
  let culprit = input;
  if (!value) problem = texts.empty;
  else if (length < input.minLength) problem = interpolate(texts.short, { minimum: input.minLength, length });
  else if (value !== again.value) [problem, culprit] = [texts.differ, again];
  if (!problem) return value;
  showFieldError(culprit, problem);
  throw new Error(problem);
}

// The line under an input that says what is wrong with it, as the portal's own forms show it.
function showFieldError(input, message) {
  const line = document.createElement("p");
  line.className = "field-error";
  line.id = `${input.id}-error`;
  line.dataset.secretError = "";
  line.textContent = message;
  input.after(line);
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), line.id].filter(Boolean).join(" "));
  input.closest(".field")?.classList.add("invalid");
}

function clearFieldError(input) {
  const line = document.getElementById(`${input.id}-error`);
  if (!line) return;
  line.remove();
  input.removeAttribute("aria-invalid");
  const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== line.id);
  if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
  else input.removeAttribute("aria-describedby");
  input.closest(".field")?.classList.remove("invalid");
}

// Two bundle passwords that match and are long enough, or an Error to show.
const bundlePassword = (form) =>
  checkNewSecret(form.querySelector("[data-bundle-password]"), form.querySelector("[data-bundle-again]"), "bundle");

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
