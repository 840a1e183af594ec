package dev.canopy.provisioning.internal;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The state backend's own filter chain: its callers are engine processes with a per-step password (checked by
 * {@link OpenTofuStateController} against {@link OpenTofuStateSessions}), not people with tokens or cookies, so
 * neither the API's bearer tokens nor the console's CSRF protection apply to it.
 */
@Configuration(proxyBeanMethods = false)
class OpenTofuStateSecurity {

    @Bean
    @Order(0)
    SecurityFilterChain openTofuState(HttpSecurity http) throws Exception {
        http.securityMatcher(OpenTofuStateController.PATH + "**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .authorizeHttpRequests(a -> a.anyRequest().permitAll());
        return http.build();
    }
}
