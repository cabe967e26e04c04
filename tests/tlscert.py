"""A throwaway self-signed certificate for 127.0.0.1 and localhost, made
by Debian's `openssl` command, for the TLS tests."""

import os
import shutil
import subprocess

OPENSSL = shutil.which("openssl")
SKIP_REASON = "the `openssl` command (Debian's openssl package) makes the test certificate"


def make_certificate(folder):
    """(certificate, key) PEM paths in `folder`, valid for a day, with DER
    twins (cert.der, key.der) for MicroPython, whose mbedtls reads no PEM."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    for command in (
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        ["x509", "-in", cert, "-outform", "DER", "-out", cert[:-3] + "der"],
        ["pkey", "-in", key, "-outform", "DER", "-out", key[:-3] + "der"],
    ):
        subprocess.run([OPENSSL] + command, check=True, capture_output=True, timeout=30)
    return cert, key
