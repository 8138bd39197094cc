// The bundle's entry point (static/js/dist/browser-keys.js): what the page scripts import.
// tsyringe, under @peculiar/x509, needs the Reflect metadata API before it loads.
import "reflect-metadata";

export { pemBlocks, toPem } from "./bytes.js";
export { buildCsr, generateKeyPair, KEY_TYPES, publicKeySha256, requireWebCrypto } from "./csr.js";
export { BrowserKeyError } from "./errors.js";
export { decryptKey, encryptKey, KEY_FILE_ITERATIONS, publicKeyHash } from "./keyfile.js";
export { findKey, listKeys, saveKey } from "./keystore.js";
export { buildPkcs12, PROFILES } from "./pkcs12.js";
