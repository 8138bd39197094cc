"""The certificate lifecycle: requests, keys, certificates, PKCS#12, revocation, audit."""
