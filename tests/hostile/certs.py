#!/usr/bin/python3
"""Certificates for the TLS cases, made at test time with Debian's
python3-cryptography: a CA, and leaves signed by it that are good, expired,
or for the wrong host, plus a self-signed one. usage: certs.py DIR"""
import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

out = sys.argv[1]
now = datetime.datetime.utcnow()
day = datetime.timedelta(days=1)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def save(stem, key, cert):
    with open(os.path.join(out, stem + ".key"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(os.path.join(out, stem + ".pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def make(subject, issuer, issuer_key, sans, start, end, ca=False):
    key = ec.generate_private_key(ec.SECP256R1())
    b = (x509.CertificateBuilder().subject_name(name(subject))
         .issuer_name(name(issuer)).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(start).not_valid_after(end)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                        critical=True))
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return key, b.sign(issuer_key or key, hashes.SHA256())


local = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
ca_key, ca = make("wsdash test CA", "wsdash test CA", None, None, now - day,
                  now + 30 * day, ca=True)
save("ca", ca_key, ca)
save("good", *make("localhost", "wsdash test CA", ca_key, local, now - day,
                   now + 30 * day))
save("expired", *make("localhost", "wsdash test CA", ca_key, local,
                      now - 30 * day, now - 2 * day))
save("wronghost", *make("wrong.example", "wsdash test CA", ca_key,
                        [x509.DNSName("wrong.example")], now - day,
                        now + 30 * day))
save("selfsigned", *make("localhost", "localhost", None, local, now - day,
                         now + 30 * day))
