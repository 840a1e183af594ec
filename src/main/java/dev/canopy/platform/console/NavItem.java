package dev.canopy.platform.console;

import java.util.function.Predicate;

import dev.canopy.platform.security.CanopyPrincipal;

/**
 * One entry of the console's navigation, contributed as a bean by the module that owns the page. It is
 * rendered only for principals {@code visibleTo} accepts; the page itself must refuse the others anyway.
 */
public record NavItem(String path, String label, int order, Predicate<CanopyPrincipal> visibleTo) {

    /** Whether the item is the current page or one of its sub-pages. */
    public boolean active(String requestPath) {
        return "/".equals(path) ? "/".equals(requestPath)
                : requestPath.equals(path) || requestPath.startsWith(path + "/");
    }
}
