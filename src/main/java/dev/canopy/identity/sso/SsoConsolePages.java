package dev.canopy.identity.sso;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.ModelAndView;

import dev.canopy.platform.web.ApiException;
import jakarta.servlet.http.HttpServletResponse;

/** How a refused console SSO login is shown: the console's error page, saying what went wrong and what to do. */
@Component
class SsoConsolePages {

    static final String ERROR = "console/error";

    ModelAndView refused(ApiException refusal, HttpServletResponse response) {
        HttpStatus status = refusal.status();
        var page = new ModelAndView(ERROR, status);
        page.addObject("status", status.value());
        page.addObject("reason", "Single sign-on failed");
        page.addObject("message", message(refusal));
        page.addObject("code", refusal.code());
        page.addObject("signInAgain", true);
        page.addObject("frame", null);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        return page;
    }

    /** The refusal's own words, with what to do next where it is not obvious. */
    private static String message(ApiException refusal) {
        return switch (refusal.code()) {
            case "SSO_PROVIDER_ERROR" -> refusal.getMessage() + " Sign in again, or ask your administrator.";
            case "SSO_PROVIDER_UNAVAILABLE" -> refusal.getMessage() + " Try again in a few minutes, or sign in with "
                    + "your password if your tenant allows it.";
            default -> refusal.getMessage();
        };
    }
}
