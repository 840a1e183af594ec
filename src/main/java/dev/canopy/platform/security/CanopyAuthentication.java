package dev.canopy.platform.security;


import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** An authenticated request: the principal behind a verified, unrevoked access token. */
public class CanopyAuthentication extends AbstractAuthenticationToken {

    private final CanopyPrincipal principal;
    private final String token;

    public CanopyAuthentication(CanopyPrincipal principal, String token) {
        super(principal.permissions().stream().map(SimpleGrantedAuthority::new).toList());
        this.principal = principal;
        this.token = token;
        setAuthenticated(true);
    }

    @Override
    public CanopyPrincipal getPrincipal() {
        return principal;
    }

    @Override
    public String getCredentials() {
        return token;
    }

    @Override
    public String getName() {
        return principal.userId().toString();
    }
}
