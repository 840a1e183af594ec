package dev.canopy.identity.internal;

import java.util.List;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import dev.canopy.platform.security.CanopyAuthentication;
import dev.canopy.platform.security.ProblemAuthenticationException;
import dev.canopy.platform.web.Problems;
import dev.canopy.platform.web.RequestRefused;

/** Bearer-token security for the API: stateless, every error as problem+json. */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String[] PUBLIC = { "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/mfa/verify",
            "/api/v1/auth/password-reset", "/api/v1/auth/password-reset/confirm", "/api/v1/auth/register",
            "/api/v1/auth/verify-email", "/api/v1/auth/sso/*/login", "/api/v1/auth/sso/callback", "/.well-known/**",
            "/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/v3/api-docs", "/v3/api-docs/**",
            "/docs", "/docs/**", "/swagger-ui/**", "/error" };

    /** GitHub's webhook deliveries carry no token: the integration module checks their HMAC signature instead. */
    static final String GITHUB_HOOKS = "/api/v1/hooks/github/*";

    /** Accepting an invitation is how someone without an account gets one. */
    static final String ACCEPT_INVITATION = "/api/v1/invitations/*/accept";

    /**
     * Allowed for people only, not API keys: the caller's own account and sessions, and creating a tenant
     * (whose creator becomes its administrator, which only a person can be).
     */
    private static final AuthorizationManager<RequestAuthorizationContext> PEOPLE_ONLY = (authentication,
            context) -> {
        Authentication caller = authentication.get();
        return new AuthorizationDecision(caller instanceof CanopyAuthentication && caller.isAuthenticated()
                && !(caller instanceof ApiKeyAuthentication));
    };

    @Bean
    SecurityFilterChain api(HttpSecurity http, JwtDecoder decoder, PrincipalResolver principals,
            ApiKeyAuthenticator apiKeys, Problems problems, ApplicationEventPublisher events) throws Exception {
        var jwts = new JwtAuthenticationProvider(decoder);
        jwts.setJwtAuthenticationConverter(principals);
        // bearer tokens starting with cnp_ are API keys; everything else must be a Canopy JWT
        AuthenticationManager bearer = authentication -> {
            String token = ((BearerTokenAuthenticationToken) authentication).getToken();
            return ApiKeySecrets.looksLikeApiKey(token) ? apiKeys.authenticate(token) : jwts.authenticate(authentication);
        };
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a.requestMatchers(PUBLIC).permitAll()
                        .requestMatchers(HttpMethod.POST, ACCEPT_INVITATION).permitAll()
                        .requestMatchers(HttpMethod.POST, GITHUB_HOOKS).permitAll()
                        .requestMatchers("/api/v1/auth/**").access(PEOPLE_ONLY)
                        .requestMatchers(HttpMethod.POST, "/api/v1/tenants").access(PEOPLE_ONLY)
                        .anyRequest().authenticated())
                .oauth2ResourceServer(o -> o
                        .jwt(jwt -> jwt.authenticationManager(bearer))
                        .authenticationEntryPoint((request, response, e) -> {
                            if (status(e) == HttpStatus.UNAUTHORIZED) {
                                // a token was presented and refused, before the audited part of the chain
                                events.publishEvent(RequestRefused.of(RequestRefused.Kind.TOKEN_INVALID, request,
                                        HttpStatus.UNAUTHORIZED.value(), code(e)));
                            }
                            problems.write(response, problems.of(status(e), code(e), detail(e), request));
                        })
                        .accessDeniedHandler((request, response, e) -> problems.write(response,
                                SecurityContextHolder.getContext().getAuthentication() instanceof ApiKeyAuthentication
                                        ? problems.of(HttpStatus.FORBIDDEN, "API_KEY_NOT_ALLOWED",
                                                "API keys cannot use this endpoint; it is for people signed in.",
                                                request)
                                        : problems.of(HttpStatus.FORBIDDEN, "FORBIDDEN", "You may not do this.",
                                                request))))
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> problems.write(response,
                        problems.of(HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED", "Sign in first.", request))));
        return http.build();
    }

    @Bean
    JwtDecoder jwtDecoder(SigningKeys keys, Issuer issuer) {
        JWKSource<SecurityContext> source = (selector, context) -> {
            List<JWK> found = selector.select(keys.publicKeys());
            if (found.isEmpty()) {
                keys.reloadIfStale();
                found = selector.select(keys.publicKeys());
            }
            return found;
        };
        var processor = new DefaultJWTProcessor<SecurityContext>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, source));
        var decoder = new NimbusJwtDecoder(processor);
        OAuth2TokenValidator<Jwt> sameIssuer = jwt -> issuer.current().equals(jwt.getClaimAsString("iss"))
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "Unknown issuer", null));
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefault(), sameIssuer));
        return decoder;
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    }

    private static HttpStatus status(AuthenticationException e) {
        return e instanceof ProblemAuthenticationException p ? p.status() : HttpStatus.UNAUTHORIZED;
    }

    private static String code(AuthenticationException e) {
        return e instanceof ProblemAuthenticationException p ? p.code() : "TOKEN_INVALID";
    }

    private static String detail(AuthenticationException e) {
        return e instanceof ProblemAuthenticationException ? e.getMessage()
                : "The access token is missing, malformed, expired or not signed by Canopy.";
    }
}
