// Password-based encryption for key bags, certificate bags and the key backup. Each function
// returns the AlgorithmIdentifier to write beside the ciphertext.
// - PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC): pkijs, on WebCrypto's native PBKDF2 and AES.
// - pbeWithSHAAnd3-KeyTripleDES-CBC (PKCS#12 appendix B key derivation with SHA-1): node-forge,
//   because WebCrypto and pkijs have no 3DES; needed by the clients of the legacy profile. Its
//   salts are chosen so that gpgsm, whose key derivation slips on some salts, reads them.
import * as asn1js from "asn1js";
import forge from "node-forge/lib/forge.js";
import "node-forge/lib/des.js";
import "node-forge/lib/pbe.js";
import "node-forge/lib/sha1.js";
import * as pkijs from "pkijs";

import { gettext } from "../../static/js/i18n.js";
import { utf8 } from "./bytes.js";
import { BrowserKeyError } from "./errors.js";
import { gpgsmDerivesRightKey } from "./gpgsm.js";

const PBE_SHA1_3DES = "1.2.840.113549.1.12.1.3";
const DATA = "1.2.840.113549.1.7.1";

export async function encryptPbes2(data, password, iterationCount) {
  const info = await pkijs.getCrypto(true).encryptEncryptedContentInfo({
    password: utf8(password),
    contentEncryptionAlgorithm: { name: "AES-CBC", length: 256 },
    hmacHashAlgorithm: "SHA-256",
    iterationCount,
    contentToEncrypt: data,
    contentType: DATA,
  });
  return { algorithm: info.contentEncryptionAlgorithm, ciphertext: info.getEncryptedContent() };
}

const bytesOf = (binary) => Uint8Array.from(binary, (c) => c.charCodeAt(0));

// A salt whose 3DES key gpgsm derives correctly (see gpgsm.js), and that key. About one salt
// in 128 is passed over; twenty in a row would take a broken random generator.
const SALT_ATTEMPTS = 20;

function saltAndKey(password, iterationCount) {
  for (let attempt = 0; attempt < SALT_ATTEMPTS; attempt++) {
    const salt = crypto.getRandomValues(new Uint8Array(8));
    // forge encodes the password as the BMPString PKCS#12 asks for (UTF-16 units, then 00 00).
    const key = forge.pbe.generatePkcs12Key(password, forge.util.createBuffer(salt), 1, iterationCount, 24);
    if (gpgsmDerivesRightKey(password, salt, bytesOf(key.bytes(20)))) return { salt, key };
  }
  throw new BrowserKeyError("salt", gettext("No salt that gpgsm reads came out of the random generator; try again."));
}

export function encryptPbeSha1TripleDes(data, password, iterationCount) {
  const { salt, key } = saltAndKey(password, iterationCount);
  const iv = forge.pbe.generatePkcs12Key(password, forge.util.createBuffer(salt), 2, iterationCount, 8);
  const cipher = forge.cipher.createCipher("3DES-CBC", key);
  cipher.start({ iv });
  cipher.update(forge.util.createBuffer(new Uint8Array(data)));
  cipher.finish();
  const params = new asn1js.Sequence({
    value: [
      new asn1js.OctetString({ valueHex: salt.buffer }),
      new asn1js.Integer({ value: iterationCount }),
    ],
  });
  return {
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: PBE_SHA1_3DES, algorithmParams: params }),
    ciphertext: bytesOf(cipher.output.getBytes()).buffer,
  };
}
