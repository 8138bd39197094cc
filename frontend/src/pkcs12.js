// PKCS#12 bundles built in the page, in DESIGN.md's two profiles:
// - modern: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for the key bags and the certificate bag,
//   SHA-256 MAC; the server's counts (100000 rounds, MAC 2048).
// - legacy: pbeWithSHAAnd3-KeyTripleDES-CBC for the key bags and the certificate bag, SHA-1
//   MAC, 2048 rounds, as the server's legacy profile.
// One bundle may hold several keys ("Back up all my keys"): each key bag and its leaf share a
// localKeyId and a friendlyName; chain certificates appear once.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

import { gettext, interpolate } from "../../static/js/i18n.js";
import { toHex, utf8 } from "./bytes.js";
import { BrowserKeyError } from "./errors.js";
import { publicKeyHash, shroudKey } from "./keyfile.js";
import { encryptPbeSha1TripleDes, encryptPbes2 } from "./pbe.js";

export const PROFILES = {
  modern: { rounds: 100_000, encrypt: encryptPbes2, mac: "SHA-256" },
  legacy: { rounds: 2048, encrypt: encryptPbeSha1TripleDes, mac: "SHA-1" },
};
const MAC_ROUNDS = 2048;
const DATA = "1.2.840.113549.1.7.1";
const ENCRYPTED_DATA = "1.2.840.113549.1.7.6";
const FRIENDLY_NAME = "1.2.840.113549.1.9.20";
const LOCAL_KEY_ID = "1.2.840.113549.1.9.21";
const SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const X509_CERTIFICATE = "1.2.840.113549.1.9.22.1";

function attributes(friendlyName, localKeyId) {
  return [
    new pkijs.Attribute({ type: FRIENDLY_NAME, values: [new asn1js.BmpString({ value: friendlyName })] }),
    new pkijs.Attribute({ type: LOCAL_KEY_ID, values: [new asn1js.OctetString({ valueHex: localKeyId })] }),
  ];
}

function certBag(der, bagAttributes) {
  const bag = new pkijs.CertBag({ certId: X509_CERTIFICATE, certValue: new asn1js.OctetString({ valueHex: der }) });
  return new pkijs.SafeBag({ bagId: CERT_BAG, bagValue: bag, ...(bagAttributes ? { bagAttributes } : {}) });
}

const safeContents = (bags) => new pkijs.SafeContents({ safeBags: bags }).toSchema().toBER(false);

// Every key must match its certificate; the refusal names the certificate.
async function checkPairs(entries) {
  for (const entry of entries) {
    if ((await publicKeyHash(entry.pkcs8)) !== entry.spkiSha256) {
      throw new BrowserKeyError(
        "key-mismatch",
        interpolate(
          gettext(
            "This key does not belong to %(label)s: its public key differs from the certificate's. Choose the key backup made for this certificate.",
          ),
          { label: entry.label },
        ),
      );
    }
  }
}

// entries: [{pkcs8, certificate (DER), chain: [DER], spkiSha256, friendlyName, label}]
export async function buildPkcs12(entries, password, profileName) {
  const profile = PROFILES[profileName];
  if (!profile) {
    throw new BrowserKeyError("profile", interpolate(gettext("Unknown bundle profile '%(profile)s'."), { profile: profileName }));
  }
  if (!password) throw new BrowserKeyError("password", gettext("Choose a password for the bundle."));
  await checkPairs(entries);
  const encrypt = (data) => profile.encrypt(data, password, profile.rounds);
  const certBags = [];
  const keyBags = [];
  const seen = new Set();
  for (const entry of entries) {
    const localKeyId = await crypto.subtle.digest("SHA-1", entry.certificate);
    const bagAttributes = attributes(entry.friendlyName, localKeyId);
    certBags.push(certBag(entry.certificate, bagAttributes));
    seen.add(toHex(entry.certificate));
    const shrouded = pkijs.PKCS8ShroudedKeyBag.fromBER(await shroudKey(entry.pkcs8, encrypt));
    keyBags.push(new pkijs.SafeBag({ bagId: SHROUDED_KEY_BAG, bagValue: shrouded, bagAttributes }));
  }
  for (const der of entries.flatMap((entry) => entry.chain)) {
    if (!seen.has(toHex(der))) certBags.push(certBag(der));
    seen.add(toHex(der));
  }
  const { algorithm, ciphertext } = await encrypt(safeContents(certBags));
  const encryptedCertificates = new pkijs.EncryptedData({
    version: 0,
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: DATA,
      contentEncryptionAlgorithm: algorithm,
      encryptedContent: new asn1js.OctetString({ valueHex: ciphertext }),
      disableSplit: true,
    }),
  });
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    safeContents: [
      new pkijs.ContentInfo({ contentType: ENCRYPTED_DATA, content: encryptedCertificates.toSchema() }),
      new pkijs.ContentInfo({ contentType: DATA, content: new asn1js.OctetString({ valueHex: safeContents(keyBags) }) }),
    ],
  });
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues({
    password: utf8(password),
    iterations: MAC_ROUNDS,
    pbkdf2HashAlgorithm: profile.mac,
    hmacHashAlgorithm: profile.mac,
  });
  return pfx.toSchema().toBER(false);
}
