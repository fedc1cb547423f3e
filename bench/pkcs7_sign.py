"""Sign profiles with Python's `cryptography` package, the way a scripting
admin would: one process, its PKCS#7 builder (OpenSSL underneath), SHA-256,
the chain embedded, the content attached. `go run ./bench` runs it as a peer.

    python3 bench/pkcs7_sign.py CERT KEY CHAIN IN_DIR OUT_DIR

Every *.mobileconfig of IN_DIR is read into memory first, then signed in a
loop that is the only thing measured (so the peer "only signs"), then
written to OUT_DIR. One JSON line on stdout reports the count and the CPU
seconds of the signing loop.
"""

import json
import os
import sys
import time

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7


def main(cert_path, key_path, chain_path, in_dir, out_dir):
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    with open(chain_path, "rb") as f:
        chain = x509.load_pem_x509_certificates(f.read()) if hasattr(x509, "load_pem_x509_certificates") else [x509.load_pem_x509_certificate(f.read())]

    names = sorted(n for n in os.listdir(in_dir) if n.endswith(".mobileconfig"))
    profiles = []
    for name in names:
        with open(os.path.join(in_dir, name), "rb") as f:
            profiles.append(f.read())

    # Binary: sign the bytes as they are (no MIME canonicalization);
    # NoCapabilities: the same three signed attributes as the Go signer.
    options = [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCapabilities]
    signed = []
    start = time.process_time()
    for data in profiles:
        builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(cert, key, hashes.SHA256())
        for c in chain:
            builder = builder.add_certificate(c)
        signed.append(builder.sign(serialization.Encoding.DER, options))
    loop_cpu = time.process_time() - start

    os.makedirs(out_dir, exist_ok=True)
    for name, der in zip(names, signed):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(der)
    print(json.dumps({"count": len(signed), "loop_cpu_seconds": loop_cpu, "cryptography": cryptography.__version__}))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit("usage: pkcs7_sign.py CERT KEY CHAIN IN_DIR OUT_DIR")
    main(*sys.argv[1:])
