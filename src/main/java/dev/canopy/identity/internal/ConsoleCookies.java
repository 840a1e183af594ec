package dev.canopy.identity.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The console's cookies: HttpOnly and SameSite=Lax always (no script ever reads a token; Lax so that the link
 * in an invitation mail arrives signed in), Secure unless the console is reached over plain HTTP on the
 * loopback address, where browsers and developers run it without TLS.
 */
public final class ConsoleCookies {

    /** The session's current access token (a JWT of 15 minutes). */
    public static final String ACCESS = "canopy_console";
    /** The session's refresh token, rotated whenever the access token is renewed. */
    public static final String REFRESH = "canopy_console_refresh";
    /** Between the password and the second factor: the single-use MFA token. */
    public static final String MFA = "canopy_console_mfa";

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private ConsoleCookies() {
    }

    public static Optional<String> read(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        return cookies == null ? Optional.empty()
                : Arrays.stream(cookies).filter(c -> name.equals(c.getName()) && !c.getValue().isBlank())
                        .map(Cookie::getValue).findFirst();
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, String name, String value,
            Duration maxAge) {
        response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from(name, value)
                .httpOnly(true)
                .secure(secure(request))
                .sameSite("Lax")
                .path("/")
                .maxAge(maxAge)
                .build()
                .toString());
    }

    public static void clear(HttpServletRequest request, HttpServletResponse response, String name) {
        write(request, response, name, "", Duration.ZERO);
    }

    /** Secure, except over plain HTTP on the loopback address. */
    public static boolean secure(HttpServletRequest request) {
        return request.isSecure() || !LOOPBACK.contains(request.getServerName());
    }
}
