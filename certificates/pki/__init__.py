"""Pure functions on bytes and `cryptography` objects: keys, CSRs, certificates, chains, PKCS#12.

Nothing here imports Django or the rest of the project; callers pass everything in.
"""
