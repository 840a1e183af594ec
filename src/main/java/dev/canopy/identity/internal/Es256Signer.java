package dev.canopy.identity.internal;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Set;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.util.BigIntegers;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;

/**
 * Signs JWS objects with ES256 through Bouncy Castle's P-256 arithmetic and its precomputed multiples of the
 * base point: about twice as fast as the JDK's provider, and signing is the largest part of a token refresh.
 * The output is the JWS form (R and S, 32 bytes each), which any ES256 verifier accepts.
 */
final class Es256Signer implements JWSSigner {

    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(),
            P256.getH());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int COORDINATE_BYTES = 32;

    private final ECPrivateKeyParameters privateKey;
    private final JCAContext jcaContext = new JCAContext();

    Es256Signer(ECKey key) {
        if (!Curve.P_256.equals(key.getCurve()) || !key.isPrivate()) {
            throw new IllegalArgumentException("ES256 needs a private P-256 key");
        }
        try {
            this.privateKey = new ECPrivateKeyParameters(key.toECPrivateKey().getS(), DOMAIN);
        }
        catch (JOSEException e) {
            throw new IllegalArgumentException("The signing key cannot be read", e);
        }
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) {
            throw new JOSEException("Only ES256 is signed here, not " + header.getAlgorithm());
        }
        var signer = new ECDSASigner();
        signer.init(true, new ParametersWithRandom(privateKey, RANDOM));
        BigInteger[] rs = signer.generateSignature(sha256(signingInput));
        byte[] signature = new byte[2 * COORDINATE_BYTES];
        BigIntegers.asUnsignedByteArray(rs[0], signature, 0, COORDINATE_BYTES);
        BigIntegers.asUnsignedByteArray(rs[1], signature, COORDINATE_BYTES, COORDINATE_BYTES);
        return Base64URL.encode(signature);
    }

    private static byte[] sha256(byte[] input) {
        var digest = new SHA256Digest();
        digest.update(input, 0, input.length);
        byte[] hash = new byte[digest.getDigestSize()];
        digest.doFinal(hash, 0);
        return hash;
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.ES256);
    }

    @Override
    public JCAContext getJCAContext() {
        return jcaContext;
    }
}
