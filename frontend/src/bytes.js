// Small conversions between ArrayBuffers, hex, base64 and PEM.
export const toHex = (buffer) =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

export function toBase64(buffer) {
  let text = "";
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)).buffer;
}

export function toPem(label, der) {
  const lines = toBase64(der).match(/.{1,64}/g) || [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

// Every PEM block of one label in the text, as DER ArrayBuffers (text around them is fine).
export function pemBlocks(text, label) {
  const pattern = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`, "g");
  return Array.from(text.matchAll(pattern), (m) => fromBase64(m[1].replace(/\s+/g, "")));
}

export const sha256Hex = async (buffer) => toHex(await crypto.subtle.digest("SHA-256", buffer));

export const utf8 = (text) => new TextEncoder().encode(text).buffer;
