package dev.canopy.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

class Es256SignerTest {

    @Test
    void itsSignaturesVerifyWithTheJdkAndOnlyForTheirOwnPayloadAndKey() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        var signer = new Es256Signer(key);
        for (int i = 0; i < 200; i++) {
            var jws = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{\"n\":" + i + "}"));
            jws.sign(signer);
            assertThat(jws.getSignature().decode()).hasSize(64);
            assertThat(jws.verify(new ECDSAVerifier(key.toPublicJWK()))).isTrue();

            var other = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{\"n\":" + (i + 1) + "}"));
            var forged = new JWSObject(other.getHeader().toBase64URL(), other.getPayload().toBase64URL(),
                    jws.getSignature());
            assertThat(forged.verify(new ECDSAVerifier(key.toPublicJWK()))).isFalse();
        }
        ECKey stranger = new ECKeyGenerator(Curve.P_256).generate();
        var jws = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{}"));
        jws.sign(signer);
        assertThat(jws.verify(new ECDSAVerifier(stranger.toPublicJWK()))).isFalse();
    }

    @Test
    void refusesOtherAlgorithmsAndKeys() throws JOSEException {
        var signer = new Es256Signer(new ECKeyGenerator(Curve.P_256).generate());
        assertThatThrownBy(() -> new JWSObject(new JWSHeader(JWSAlgorithm.ES384), new Payload("{}")).sign(signer))
                .isInstanceOf(JOSEException.class);
        assertThatThrownBy(() -> new Es256Signer(new ECKeyGenerator(Curve.P_384).generate()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Es256Signer(new ECKeyGenerator(Curve.P_256).generate().toPublicJWK()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
