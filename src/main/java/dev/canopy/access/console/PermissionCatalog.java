package dev.canopy.access.console;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.canopy.access.internal.PermissionRegistry;
import dev.canopy.platform.security.Permission;

/**
 * The tenant-level permissions as pages show them: grouped by category, each with its description and the
 * narrower forms it has, and any pattern a role holds (a wildcard, a qualified form) described in words.
 */
@Component
class PermissionCatalog {

    /** One line of a role's permissions: the pattern it holds, what it allows, and its category. */
    record Line(String pattern, String description, String category) {
    }

    /** A permission a form offers as a checkbox, with its narrower forms (e.g. only in production). */
    record Option(String name, String description, List<String> qualifiedForms) {
    }

    private static final String OTHER = "Other";

    private final PermissionRegistry registry;

    PermissionCatalog(PermissionRegistry registry) {
        this.registry = registry;
    }

    /** Every permission a tenant can give, by category in registry order. */
    Map<String, List<Option>> options() {
        var categories = new LinkedHashMap<String, List<Option>>();
        tenantLevel().forEach(p -> categories.computeIfAbsent(p.category(), c -> new ArrayList<>())
                .add(new Option(p.name(), p.description(),
                        p.qualifiers().stream().map(q -> p.name() + ":" + q).toList())));
        return categories;
    }

    /** Whether a checkbox of {@link #options()} offers the pattern. */
    boolean offered(String pattern) {
        return tenantLevel().stream().anyMatch(p -> p.name().equals(pattern)
                || p.qualifiers().stream().anyMatch(q -> (p.name() + ":" + q).equals(pattern)));
    }

    /** The patterns described and grouped by category, keeping only those the filter (lower-case) matches. */
    Map<String, List<Line>> describe(Collection<String> patterns, String needle) {
        var categories = new LinkedHashMap<String, List<Line>>();
        patterns.stream().map(this::line)
                .filter(line -> needle.isEmpty() || line.pattern().contains(needle)
                        || line.description().toLowerCase(Locale.ROOT).contains(needle)
                        || line.category().toLowerCase(Locale.ROOT).contains(needle))
                .forEach(line -> categories.computeIfAbsent(line.category(), c -> new ArrayList<>()).add(line));
        return categories;
    }

    private Line line(String pattern) {
        String[] parts = pattern.split(":");
        String resource = parts[0];
        Optional<Permission> exact = tenantLevel().stream()
                .filter(p -> parts.length >= 2 && p.name().equals(resource + ":" + parts[1])).findFirst();
        if (exact.isPresent()) {
            Permission p = exact.get();
            String description = parts.length > 2 ? p.description() + " — only " + parts[2] : p.description();
            return new Line(pattern, description, p.category());
        }
        // a wildcard such as deployments:* or *: described by what it spans
        List<Permission> spanned = tenantLevel().stream()
                .filter(p -> "*".equals(resource) || p.name().startsWith(resource + ":")).toList();
        String category = spanned.stream().map(Permission::category).distinct().count() == 1
                ? spanned.getFirst().category() : OTHER;
        return new Line(pattern, "Every permission it matches (" + spanned.size() + ")", category);
    }

    private List<Permission> tenantLevel() {
        return registry.all().stream().filter(p -> p.level() == Permission.Level.TENANT).toList();
    }
}
