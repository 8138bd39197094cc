// Keys made by WebCrypto and the CSR for them, built like the server's (certificates/pki/csr.py):
// subject C, ST, L, O, OU, CN (the address when empty), givenName, surname, emailAddress; SAN
// rfc822Name; EKU emailProtection; key usage digitalSignature plus keyEncipherment (RSA) or
// keyAgreement (EC); signed with SHA-256.
import * as x509 from "@peculiar/x509";

import { gettext, interpolate } from "../../static/js/i18n.js";
import { sha256Hex } from "./bytes.js";
import { BrowserKeyError } from "./errors.js";

const RSA = (bits) => ({
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: bits,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
});
const EC = (curve) => ({ name: "ECDSA", namedCurve: curve });

// The key types of certificates/pki/keys.py KEY_TYPES, as WebCrypto generates them.
export const KEY_TYPES = {
  "rsa-2048": RSA(2048),
  "rsa-3072": RSA(3072),
  "rsa-4096": RSA(4096),
  "ec-p256": EC("P-256"),
  "ec-p384": EC("P-384"),
};

const SUBJECT_ORDER = [
  ["country", "2.5.4.6"],
  ["state_or_province", "2.5.4.8"],
  ["locality", "2.5.4.7"],
  ["organization", "2.5.4.10"],
  ["organizational_unit", "2.5.4.11"],
  ["common_name", "2.5.4.3"],
  ["given_name", "2.5.4.42"],
  ["surname", "2.5.4.4"],
];
const EMAIL_ADDRESS = "1.2.840.113549.1.9.1";

export function subjectName(fields, email) {
  const values = {};
  for (const [name] of SUBJECT_ORDER) values[name] = (fields[name] || "").trim();
  values.country = values.country.toUpperCase();
  const address = email.trim();
  if (!values.common_name && address.length <= 64) values.common_name = address;
  const attributes = SUBJECT_ORDER.filter(([name]) => values[name]).map(([name, oid]) => ({
    [oid]: [values[name]],
  }));
  attributes.push({ [EMAIL_ADDRESS]: [address] });
  return new x509.Name(attributes);
}

export function requireWebCrypto() {
  if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) {
    throw new BrowserKeyError(
      "insecure-context",
      gettext(
        "This browser can only make keys on a page opened over HTTPS (WebCrypto needs a secure context); this page was opened over plain HTTP. Open the portal with https://, or let the portal generate the key.",
      ),
    );
  }
}

// Extractable, because the private key is exported once, to be encrypted into its backup.
export async function generateKeyPair(keyType) {
  requireWebCrypto();
  const algorithm = KEY_TYPES[keyType];
  if (!algorithm) {
    throw new BrowserKeyError("key-type", interpolate(gettext("Unknown key type '%(type)s'."), { type: keyType }));
  }
  return crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
}

export async function buildCsr(keys, email, fields) {
  const rsa = keys.privateKey.algorithm.name === "RSASSA-PKCS1-v1_5";
  const flags = x509.KeyUsageFlags;
  const usage = flags.digitalSignature | (rsa ? flags.keyEncipherment : flags.keyAgreement);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(fields, email),
    keys,
    signingAlgorithm: rsa ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", hash: "SHA-256" },
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: "email", value: email.trim() }]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.emailProtection]),
      new x509.KeyUsagesExtension(usage, true),
    ],
  });
  return csr.toString("pem");
}

export async function publicKeySha256(publicKey) {
  return sha256Hex(await crypto.subtle.exportKey("spki", publicKey));
}
