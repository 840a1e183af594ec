package dev.canopy.access.internal;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

import org.springframework.http.HttpStatus;

import dev.canopy.platform.web.ApiException;

/** Nobody hands out more than they hold: a caller may give only permission forms they are allowed. */
public final class Escalation {

    private Escalation() {
    }

    /** Throws 403 {@code PERMISSION_ESCALATION} naming what the caller would give without holding it. */
    public static void requireHeld(CompiledPolicy caller, Collection<String> patterns) {
        PermissionIndex index = caller.index();
        TreeSet<String> missing = new TreeSet<>();
        for (String pattern : patterns) {
            long[] mask = index.mask(pattern);
            for (int slot = 0; slot < index.size(); slot++) {
                if (PermissionIndex.get(mask, slot) && !caller.allows(slot)) {
                    missing.add(index.form(slot).name());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "PERMISSION_ESCALATION",
                    "You cannot give permissions you do not hold: " + String.join(", ", missing) + ".");
        }
    }

    /** Checks the patterns name registered tenant-level permissions: 400 otherwise, listing each bad one. */
    public static List<String> validPatterns(String field, List<String> patterns, PermissionIndex index) {
        return validPatterns(field, patterns, index, true);
    }

    /** As above; {@code indexed} says whether fields are named {@code field[i]} or just {@code field}. */
    public static List<String> validPatterns(String field, List<String> patterns, PermissionIndex index,
            boolean indexed) {
        var errors = new java.util.ArrayList<ApiException.FieldError>();
        String code = "UNKNOWN_PERMISSION";
        for (int i = 0; i < patterns.size(); i++) {
            String pattern = patterns.get(i);
            if (pattern == null || !index.coversAny(pattern)) {
                errors.add(new ApiException.FieldError(indexed ? field + "[" + i + "]" : field,
                        "is not a registered permission"));
            }
            else if (index.coversPlatformLevel(pattern)) {
                code = errors.isEmpty() ? "PLATFORM_PERMISSION" : code;
                errors.add(new ApiException.FieldError(indexed ? field + "[" + i + "]" : field,
                        "is a platform-level permission, which tenants cannot grant"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, code,
                    "UNKNOWN_PERMISSION".equals(code) ? "Unknown permission." : "Platform-level permission.", errors);
        }
        return patterns.stream().distinct().toList();
    }
}
