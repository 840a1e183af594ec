package dev.canopy.identity.internal;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.canopy.identity.internal.SignIn.SignedIn;
import dev.canopy.platform.security.CanopyAuthentication;
import dev.canopy.platform.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Binds a browser to a Canopy session through cookies. The access token is checked exactly as the API checks
 * a bearer token (same decoder, same per-session resolution), so revoking the session, disabling the user,
 * suspending the tenant or removing the membership signs the browser out on its next request. An expired
 * access token is renewed with the refresh token, which rotates as for the API.
 */
@Component
public class ConsoleSessions {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSessions.class);

    /**
     * A page fires several requests at once (htmx fragments, assets); when its access token has just expired
     * they all carry the same refresh token, and rotating it twice would look like token theft and end the
     * session. So one renewal per refresh token is kept for a minute and shared by the requests that race.
     */
    private final Cache<String, SignedIn> renewals = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();

    private final JwtDecoder decoder;
    private final PrincipalResolver principals;
    private final SignIn signIn;

    ConsoleSessions(JwtDecoder decoder, PrincipalResolver principals, SignIn signIn) {
        this.decoder = decoder;
        this.principals = principals;
        this.signIn = signIn;
    }

    /** The request's signed-in principal, renewing the cookies when needed; empty (and cookies cleared) if none. */
    public Optional<CanopyAuthentication> authenticate(HttpServletRequest request, HttpServletResponse response) {
        Optional<String> access = ConsoleCookies.read(request, ConsoleCookies.ACCESS);
        Optional<String> refresh = ConsoleCookies.read(request, ConsoleCookies.REFRESH);
        if (access.isEmpty() && refresh.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (access.isPresent()) {
                Optional<CanopyAuthentication> current = verified(access.get());
                if (current.isPresent()) {
                    return current;
                }
            }
            if (refresh.isPresent()) {
                SignedIn renewed = renewals.get(HexFormat.of().formatHex(RefreshTokens.hash(refresh.get())),
                        key -> signIn.refresh(refresh.get(), SignIn.Client.of(request)));
                start(request, response, renewed);
                return verified(renewed.accessToken());
            }
        }
        catch (ApiException | org.springframework.security.core.AuthenticationException refused) {
            log.debug("Console session refused: {}", refused.getMessage());
        }
        end(request, response);
        return Optional.empty();
    }

    /** An access token still valid; empty when it has expired (the refresh token may renew it). */
    private Optional<CanopyAuthentication> verified(String token) {
        try {
            return Optional.of((CanopyAuthentication) principals.convert(decoder.decode(token)));
        }
        catch (JwtException expiredOrBad) {
            return Optional.empty();
        }
    }

    /** Puts a session's tokens into the browser's cookies. */
    public void start(HttpServletRequest request, HttpServletResponse response, SignedIn signedIn) {
        ConsoleCookies.write(request, response, ConsoleCookies.ACCESS, signedIn.accessToken(), SignIn.REFRESH_LIFETIME);
        ConsoleCookies.write(request, response, ConsoleCookies.REFRESH, signedIn.refreshToken(),
                SignIn.REFRESH_LIFETIME);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }

    /** Removes the session's cookies from the browser (the session itself is ended by {@link SignIn}). */
    public void end(HttpServletRequest request, HttpServletResponse response) {
        ConsoleCookies.clear(request, response, ConsoleCookies.ACCESS);
        ConsoleCookies.clear(request, response, ConsoleCookies.REFRESH);
    }
}
