package dev.canopy.cloud.internal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

/** GCP service-account key files: their PKCS#8 private key, which both validation and the token request need. */
final class ServiceAccountKeys {

    private ServiceAccountKeys() {
    }

    /** The RSA private key of a PEM "PRIVATE KEY" block; throws IllegalArgumentException when it is none. */
    static RSAPrivateKey privateKey(String pem) {
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        }
        catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("not an RSA private key in PKCS#8 PEM");
        }
    }

    static String text(Map<String, Object> key, String field) {
        return key.get(field) instanceof String s ? s : "";
    }
}
