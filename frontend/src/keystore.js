// This browser's key store: IndexedDB holds each browser-made key as the text of its key
// backup (an encrypted PKCS#8), found by the SHA-256 of its public key. Nothing unencrypted is
// ever written here, and nothing is deleted: old keys still read old mail.
import { gettext } from "../../static/js/i18n.js";
import { BrowserKeyError } from "./errors.js";

const DATABASE = "smime-portal";
const STORE = "keys";

function open() {
  return new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) {
      reject(unavailable());
      return;
    }
    let request;
    try {
      request = indexedDB.open(DATABASE, 1);
    } catch {
      reject(unavailable());
      return;
    }
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "spkiSha256" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(unavailable());
  });
}

function unavailable() {
  return new BrowserKeyError(
    "no-indexeddb",
    gettext(
      "This browser does not let the page keep keys (IndexedDB is off or unavailable, as in some private windows). Keep the key backup file: the certificate page can build the PKCS#12 from it.",
    ),
  );
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      // A full disk or a quota aborts the transaction rather than failing the request.
      transaction.onerror = transaction.onabort = () => reject(transaction.error || unavailable());
    });
  } finally {
    db.close();
  }
}

// record: {spkiSha256, encryptedKey (PEM), keyType, email, createdAt}
export const saveKey = (record) => run("readwrite", (store) => store.put(record));
export const findKey = (spkiSha256) => run("readonly", (store) => store.get(spkiSha256));
export const listKeys = () => run("readonly", (store) => store.getAll());
