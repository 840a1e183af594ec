package dev.canopy.audit.internal;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.canopy.platform.web.Audited;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Tells the request's audit record which {@link Audited} action its handler performs. */
@Configuration(proxyBeanMethods = false)
class AuditedHandlers implements WebMvcConfigurer, HandlerInterceptor {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/**"); // the API and the console
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (handler instanceof HandlerMethod method
                && request.getAttribute(RequestAudit.ATTRIBUTE) instanceof RequestAudit audit) {
            audit.handledAs(method.getMethodAnnotation(Audited.class));
        }
        return true;
    }
}
