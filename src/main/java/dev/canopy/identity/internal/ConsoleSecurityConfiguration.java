package dev.canopy.identity.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.savedrequest.NullRequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.canopy.platform.console.ConsoleController;
import dev.canopy.platform.security.CanopyAuthentication;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The web console's own filter chain, before the API's: everything that is not API, documentation, actuator
 * or the error endpoint. Cookie sessions ({@link ConsoleSessions}), CSRF tokens on every form and htmx request,
 * no HTTP session, a strict content security policy. The API chain stays as it is.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleSecurityConfiguration {

    /** Pages anyone may open: signing in and the links of Canopy's mails. */
    static final String[] PUBLIC_PAGES = { "/sign-in", "/sign-in/**", "/forgot-password", "/reset-password",
            "/accept-invitation", "/console-assets/**", "/webjars/**", "/favicon.ico" };

    static final String CSRF_HEADER = "X-CSRF-TOKEN";

    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    static RequestMatcher notConsole() {
        var paths = PathPatternRequestMatcher.withDefaults();
        return new OrRequestMatcher(paths.matcher("/api/**"), paths.matcher("/.well-known/**"),
                paths.matcher("/actuator/**"), paths.matcher("/v3/**"), paths.matcher("/docs/**"),
                paths.matcher("/swagger-ui/**"), paths.matcher("/error"));
    }

    @Bean
    @Order(1)
    SecurityFilterChain console(HttpSecurity http, ConsoleSessions sessions) throws Exception {
        var csrfTokens = new CookieCsrfTokenRepository();
        csrfTokens.setCookieName("canopy_csrf");
        csrfTokens.setHeaderName(CSRF_HEADER);
        csrfTokens.setCookieCustomizer(cookie -> cookie.sameSite("Strict").httpOnly(true));
        http.securityMatcher(new NegatedRequestMatcher(notConsole()))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.requestCache(new NullRequestCache()))
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens))
                .addFilterAfter(new CookieAuthentication(sessions), CsrfFilter.class)
                // signing in is required by the console's handlers (see signedIn()), so that an unknown path is a
                // 404 as for the API rather than a trip to the sign-in page
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(CSP))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> toSignIn(request, response))
                        .accessDeniedHandler((request, response, ex) -> plainPage(response, HttpStatus.FORBIDDEN,
                                "This form has expired or was not sent by Canopy. Reload the page and try again.")));
        return http.build();
    }

    /**
     * Every console handler needs a signed-in principal except the public pages; their permissions are then
     * checked by the handlers themselves.
     */
    @Bean
    WebMvcConfigurer consoleSignInRequired() {
        RequestMatcher publicPages = new OrRequestMatcher(java.util.Arrays.stream(PUBLIC_PAGES)
                .map(path -> (RequestMatcher) PathPatternRequestMatcher.withDefaults().matcher(path)).toList());
        HandlerInterceptor signedIn = new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
                    throws IOException {
                if (handler instanceof HandlerMethod method
                        && AnnotatedElementUtils.hasAnnotation(method.getBeanType(), ConsoleController.class)
                        && !publicPages.matches(request)
                        && !(SecurityContextHolder.getContext().getAuthentication() instanceof CanopyAuthentication)) {
                    toSignIn(request, response);
                    return false;
                }
                return true;
            }
        };
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(signedIn);
            }
        };
    }

    /** Not signed in: full pages go to the sign-in page; htmx requests are told to load it. */
    private static void toSignIn(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getHeader("HX-Request") != null) {
            response.setHeader("HX-Redirect", "/sign-in");
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            return;
        }
        response.setStatus(HttpStatus.SEE_OTHER.value());
        response.setHeader("Location", "/sign-in");
    }

    static void plainPage(HttpServletResponse response, HttpStatus status, String message) throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.TEXT_HTML_VALUE + ";charset=UTF-8");
        response.getOutputStream().write(("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Canopy</title>"
                + "<link rel=\"stylesheet\" href=\"/console-assets/console.css\"></head><body><main class=\"narrow\">"
                + "<h1>" + status.value() + " " + status.getReasonPhrase() + "</h1><p>" + message
                + "</p><p><a href=\"/\">Back to the console</a></p></main></body></html>")
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Signs the request in from the console's cookies, and makes sure the CSRF token exists before the page
     * is rendered (its cookie must be set before the response is committed).
     */
    static final class CookieAuthentication extends OncePerRequestFilter {

        private final ConsoleSessions sessions;

        CookieAuthentication(ConsoleSessions sessions) {
            this.sessions = sessions;
        }

        @Override
        protected boolean shouldNotFilterAsyncDispatch() {
            return false;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken token) {
                token.getToken();
            }
            if (!isAsset(request)) {
                sessions.authenticate(request, response).ifPresent(authentication -> {
                    var context = SecurityContextHolder.createEmptyContext();
                    context.setAuthentication(authentication);
                    SecurityContextHolder.setContext(context);
                });
            }
            chain.doFilter(request, response);
        }

        private static boolean isAsset(HttpServletRequest request) {
            String path = request.getRequestURI();
            return path.startsWith("/console-assets/") || path.startsWith("/webjars/") || path.equals("/favicon.ico");
        }
    }
}
