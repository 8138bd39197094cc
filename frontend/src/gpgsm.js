// Whether gpgsm derives the right 3DES key from a salt: the JavaScript twin of
// certificates/pki/pkcs12_gpgsm.py, which says the why at length. In short: the PKCS#12 KDF
// (RFC 7292 B.2) needs two SHA-1 rounds for a 24-byte key, and before the second it sets every
// 64-byte block I_j of salt and password to I_j + B + 1 mod 2^512, B being the first round's
// 20 bytes repeated. GnuPG's minip12 (2.2.40, Debian 12's, up to its 2025 master) writes that
// sum back with gcry_mpi_print, which drops a leading zero byte; each block has a 1 in 256
// chance of one, so for about one salt in 128 gpgsm computes another key and cannot import
// the bundle. OpenSSL and NSS are not affected.
import { toHex } from "./bytes.js";

const BLOCK = 64;
const TOP_BYTE_SHIFT = BigInt(8 * (BLOCK - 1));
const MODULUS = 1n << BigInt(8 * BLOCK);

// `bytes` repeated to the next multiple of 64 bytes (RFC 7292 B.2 steps 2 and 3).
function fill(bytes) {
  const length = BLOCK * Math.ceil(bytes.length / BLOCK);
  return Uint8Array.from({ length }, (_, i) => bytes[i % bytes.length]);
}

const bigInteger = (bytes) => BigInt(`0x${toHex(bytes)}`);

// The password as the KDF takes it: UTF-16 code units, big-endian, then two zero bytes.
function bmpString(password) {
  const bytes = new Uint8Array(2 * password.length + 2);
  for (let i = 0; i < password.length; i++) {
    bytes[2 * i] = password.charCodeAt(i) >> 8;
    bytes[2 * i + 1] = password.charCodeAt(i) & 0xff;
  }
  return bytes;
}

// firstRound: the KDF's first 20 bytes for this salt and password (the key's first 20 bytes).
export function gpgsmDerivesRightKey(password, salt, firstRound) {
  const inputs = [fill(salt), fill(bmpString(password))];
  const increment = bigInteger(fill(firstRound)) + 1n;
  for (const part of inputs) {
    for (let start = 0; start < part.length; start += BLOCK) {
      const sum = (bigInteger(part.subarray(start, start + BLOCK)) + increment) % MODULUS;
      if (sum >> TOP_BYTE_SHIFT === 0n) return false;
    }
  }
  return true;
}
