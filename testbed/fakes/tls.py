"""pulumi-tls: keys and certificates (PEM-shaped, marked fake)."""

from __future__ import annotations

from testbed.fakes.common import Context, ResourceHandler, fake_pem


def _pem(field: str, kind: str) -> ResourceHandler:
    def handler(context: Context, name: str, inputs: dict, rid: str):
        outputs = {**inputs, "id": rid, field: fake_pem(kind, name)}
        if field == "privateKeyPem":
            outputs["publicKeyPem"] = fake_pem("PUBLIC KEY", name)
        return rid, outputs

    return handler


RESOURCES: dict[str, ResourceHandler] = {
    "tls:index/privateKey:PrivateKey": _pem("privateKeyPem", "RSA PRIVATE KEY"),
    "tls:index/selfSignedCert:SelfSignedCert": _pem("certPem", "CERTIFICATE"),
    "tls:index/certRequest:CertRequest": _pem("certRequestPem", "CERTIFICATE REQUEST"),
    "tls:index/locallySignedCert:LocallySignedCert": _pem("certPem", "CERTIFICATE"),
}
