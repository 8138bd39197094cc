// "Generate the key in this browser" inside a form (templates/certificates/_browser_keygen.html).
// The key pair is made here; its private half is exported once, encrypted with the key
// passphrase and kept in IndexedDB and in the backup file. The form sends the CSR (built at
// submit time, so it carries the fields as they are then) and, only if asked, the encrypted key.
import { checkNewSecret, hideNeedsJavaScript, loadCrypto, reporter, saveFile } from "./browser-crypto.js";
import { gettext } from "./i18n.js";

// "Generating …" for each key type; a function, so the catalog is read when the key is made.
const generating = (keyType) =>
  ({
    "rsa-2048": gettext("Generating an RSA 2048-bit key…"),
    "rsa-3072": gettext("Generating an RSA 3072-bit key…"),
    "rsa-4096": gettext("Generating an RSA 4096-bit key; this can take several seconds…"),
    "ec-p256": gettext("Generating an ECDSA P-256 key…"),
    "ec-p384": gettext("Generating an ECDSA P-384 key…"),
  })[keyType] || gettext("Generating the key…");

// active(event): whether sending the form (this submit event) is sending the browser key;
// email() and subject() give (or promise) the address and subject fields the CSR carries.
export function setUpKeygen(form, { active, email, subject }) {
  const root = form.querySelector("[data-keygen]");
  if (!root) return;
  const part = (name) => root.querySelector(`[data-keygen-${name}]`);
  const report = reporter(root);
  const csrField = form.elements.browser_csr_pem;
  const copyField = form.elements.encrypted_key;
  // A page shown again after a refusal: the key of the earlier try is gone with that page.
  csrField.value = "";
  copyField.value = "";
  hideNeedsJavaScript(root);
  part("controls").hidden = false;
  let made = null;

  if (!window.isSecureContext || !window.crypto?.subtle) {
    part("generate").disabled = true;
    loadCrypto().then((lib) => {
      try {
        lib.requireWebCrypto();
      } catch (error) {
        report.fail(error.message);
      }
    });
  }

  part("generate").addEventListener("click", async () => {
    let passphrase;
    try {
      passphrase = checkNewSecret(part("passphrase"), part("again"), "key");
    } catch (error) {
      return report.fail(error.message);
    }
    const keyType = part("type").value;
    part("generate").disabled = true;
    part("done").hidden = true;
    report.busy(generating(keyType));
    try {
      const lib = await loadCrypto();
      const keys = await lib.generateKeyPair(keyType);
      report.busy(gettext("Encrypting the key with your key passphrase…"));
      const encryptedKey = await lib.encryptKey(keys.privateKey, passphrase);
      const spkiSha256 = await lib.publicKeySha256(keys.publicKey);
      made = { keys, encryptedKey, spkiSha256 };
      part("done").hidden = false;
      try {
        const record = { spkiSha256, encryptedKey, keyType, email: await email(), createdAt: new Date().toISOString() };
        await lib.saveKey(record);
        report.done("");
      } catch (error) {
        report.fail(`${error.message} ${gettext("Download the key backup now.")}`);
      }
    } catch (error) {
      report.fail(error.message);
    } finally {
      part("generate").disabled = false;
    }
  });

  part("backup").addEventListener("click", async () => {
    const name = `${(await email()).replace(/[^A-Za-z0-9._-]/g, "_")}-${made.spkiSha256.slice(0, 8)}.key`;
    saveFile(made.encryptedKey, name, "application/pkcs8");
  });

  form.addEventListener("submit", async (event) => {
    if (!active(event) || csrField.value) return;
    event.preventDefault();
    if (!made) return report.fail(gettext("Generate the key first (“Generate the key”), then send the request."));
    try {
      const lib = await loadCrypto();
      csrField.value = await lib.buildCsr(made.keys, await email(), await subject());
      copyField.value = part("copy").checked ? made.encryptedKey : "";
      form.requestSubmit(event.submitter);
    } catch (error) {
      report.fail(error.message);
    }
  });
}
