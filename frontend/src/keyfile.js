// The key backup (.key): the private key as a standard encrypted PKCS#8 ("ENCRYPTED PRIVATE
// KEY"), PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, which `openssl pkey -in FILE -passin
// pass:...` opens. The same text is what IndexedDB and the optional server copy hold: the key
// never rests anywhere unencrypted.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

import { gettext } from "../../static/js/i18n.js";
import { pemBlocks, sha256Hex, toPem, utf8 } from "./bytes.js";
import { BrowserKeyError } from "./errors.js";
import { encryptPbes2 } from "./pbe.js";

// OWASP's 2023 figure for PBKDF2-HMAC-SHA256: this file may sit on a disk or a server for
// years, so a guessed passphrase must be expensive to test.
export const KEY_FILE_ITERATIONS = 600_000;
// A file asking for more would freeze the tab before the passphrase could even be judged.
const MAX_ITERATIONS = 10_000_000;
const PBES2 = "1.2.840.113549.1.5.13";
const LABEL = "ENCRYPTED PRIVATE KEY";

export async function encryptKey(privateKey, passphrase) {
  if (!passphrase) throw new BrowserKeyError("passphrase", gettext("Choose a key passphrase."));
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", privateKey);
  return toPem(LABEL, await shroudKey(pkcs8, (data) => encryptPbes2(data, passphrase, KEY_FILE_ITERATIONS)));
}

// EncryptedPrivateKeyInfo (a PKCS#12 shrouded key bag has the same shape) for PKCS#8 DER.
export async function shroudKey(pkcs8, encrypt) {
  const { algorithm, ciphertext } = await encrypt(pkcs8);
  const bag = new pkijs.PKCS8ShroudedKeyBag({
    encryptionAlgorithm: algorithm,
    encryptedData: new asn1js.OctetString({ valueHex: ciphertext }),
  });
  return bag.toSchema().toBER(false);
}

function readKeyFile(text) {
  const [der] = pemBlocks(text, LABEL);
  if (!der) {
    const plain = /-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text);
    throw new BrowserKeyError(
      "not-a-key-file",
      plain
        ? gettext(
            "This key file is not encrypted; choose the key backup the portal made (it starts with -----BEGIN ENCRYPTED PRIVATE KEY-----).",
          )
        : gettext(
            "This file is not a key backup: choose the .key file saved when the key was made (it starts with -----BEGIN ENCRYPTED PRIVATE KEY-----).",
          ),
    );
  }
  try {
    return pkijs.PKCS8ShroudedKeyBag.fromBER(der);
  } catch {
    throw new BrowserKeyError("not-a-key-file", gettext("This key backup is damaged: it could not be read."));
  }
}

function checkAlgorithm(bag) {
  const algorithm = bag.encryptionAlgorithm;
  if (algorithm.algorithmId !== PBES2) {
    throw new BrowserKeyError(
      "not-a-key-file",
      gettext("This key file uses an encryption this page does not read; choose the backup the portal made."),
    );
  }
  const params = new pkijs.PBES2Params({ schema: algorithm.algorithmParams });
  const kdf = new pkijs.PBKDF2Params({ schema: params.keyDerivationFunc.algorithmParams });
  if (kdf.iterationCount > MAX_ITERATIONS) {
    throw new BrowserKeyError(
      "not-a-key-file",
      gettext("This key file asks for an unreasonable amount of work; it was not opened."),
    );
  }
}

// The PKCS#8 DER inside a key backup. A wrong passphrase almost always breaks the AES padding;
// in the rare case it does not, the result is not a key, which reads as the same mistake.
export async function decryptKey(text, passphrase) {
  const bag = readKeyFile(text);
  checkAlgorithm(bag);
  try {
    await bag.parseInternalValues({ password: utf8(passphrase) });
  } catch {
    throw new BrowserKeyError(
      "wrong-passphrase",
      gettext(
        "The key passphrase is wrong: the key backup did not open with it. Type the passphrase chosen when the key was made.",
      ),
    );
  }
  return bag.parsedValue.toSchema().toBER(false);
}

const CURVES = { "1.2.840.10045.3.1.7": "P-256", "1.3.132.0.34": "P-384", "1.3.132.0.35": "P-521" };

// The WebCrypto algorithm of a PKCS#8 key, read from its AlgorithmIdentifier.
function algorithmOf(pkcs8) {
  const info = pkijs.PrivateKeyInfo.fromBER(pkcs8);
  const oid = info.privateKeyAlgorithm.algorithmId;
  if (oid === "1.2.840.113549.1.1.1") return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  if (oid === "1.2.840.10045.2.1") {
    const params = info.privateKeyAlgorithm.algorithmParams;
    const curve = params instanceof asn1js.ObjectIdentifier ? CURVES[params.valueBlock.toString()] : undefined;
    if (curve) return { name: "ECDSA", namedCurve: curve };
  }
  throw new BrowserKeyError("unsupported-key", gettext("This key is of a kind the portal does not use."));
}

const PRIVATE_JWK_FIELDS = ["d", "p", "q", "dp", "dq", "qi", "oth"];

// Hex SHA-256 of the public key (SubjectPublicKeyInfo) that belongs to a PKCS#8 private key:
// what the server stores as spki_sha256, so a key and its certificate are matched exactly.
export async function publicKeyHash(pkcs8) {
  const algorithm = algorithmOf(pkcs8);
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  for (const field of PRIVATE_JWK_FIELDS) delete jwk[field];
  jwk.key_ops = ["verify"];
  const publicKey = await crypto.subtle.importKey("jwk", jwk, algorithm, true, ["verify"]);
  return sha256Hex(await crypto.subtle.exportKey("spki", publicKey));
}
