package dev.canopy.access.internal;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * What a role, group or direct grant names: a permission ({@code deployments:delete}), one of its
 * qualified forms ({@code deployments:delete:own}) or a wildcard over a resource's actions
 * ({@code deployments:*}, {@code deployments:*:own}). A pattern without qualifier covers the qualified
 * forms too.
 */
public record PermissionPattern(String resource, @Nullable String action, @Nullable String qualifier) {

    private static final java.util.regex.Pattern SYNTAX = java.util.regex.Pattern
            .compile("[a-z_]{1,64}:([a-z_]{1,64}|\\*)(:[a-z_]{1,64})?");

    /** The pattern, or empty when the text is not one. */
    public static Optional<PermissionPattern> parse(String text) {
        if (text.length() > 200 || !SYNTAX.matcher(text).matches()) {
            return Optional.empty();
        }
        String[] parts = text.split(":");
        return Optional.of(new PermissionPattern(parts[0], "*".equals(parts[1]) ? null : parts[1],
                parts.length == 3 ? parts[2] : null));
    }

    /** Whether the pattern covers the permission form {@code resource:action[:qualifier]}. */
    public boolean covers(String formResource, String formAction, @Nullable String formQualifier) {
        return resource.equals(formResource) && (action == null || action.equals(formAction))
                && (qualifier == null || qualifier.equals(formQualifier));
    }

    /** The same coverage as a regular expression over form names, for engines that match by regex. */
    public String toRegex() {
        return "^" + resource + ":" + (action == null ? "[a-z_]+" : action)
                + (qualifier == null ? "(:[a-z_]+)?" : ":" + qualifier) + "$";
    }

    @Override
    public String toString() {
        return resource + ":" + (action == null ? "*" : action) + (qualifier == null ? "" : ":" + qualifier);
    }
}
