package dev.canopy.access.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.security.Permission;

/**
 * Numbers every permission form of a registry: each permission gets a slot, followed by one slot per
 * qualified form ({@code deployments:delete}, then {@code deployments:delete:own}, ...). Compiled
 * policies are bit sets over these slots. Pattern masks are computed once per pattern and kept.
 */
public final class PermissionIndex {

    /** One permission form: a slot's name, the permission it belongs to, and its name's parts. */
    public record Form(int slot, String name, Permission permission, @Nullable String qualifier, String resource,
            String action, @Nullable String lastSegment) {

        Form(int slot, String name, Permission permission, @Nullable String qualifier) {
            this(slot, name, permission, qualifier, part(permission.name(), 0), part(permission.name(), 1),
                    qualifier != null ? qualifier : part(permission.name(), 2));
        }

        private static @Nullable String part(String name, int i) {
            String[] parts = name.split(":");
            return i < parts.length ? parts[i] : null;
        }
    }

    private final List<Form> forms = new ArrayList<>();
    private final Map<String, Form> byName = new HashMap<>();
    private final Map<String, List<Form>> byResource = new HashMap<>();
    private final long[] platformMask;
    private final long[] allMask;
    private final Map<String, long[]> masks = new ConcurrentHashMap<>();

    public PermissionIndex(List<Permission> registry) {
        for (Permission permission : registry) {
            add(new Form(forms.size(), permission.name(), permission, null));
            for (String qualifier : permission.qualifiers()) {
                add(new Form(forms.size(), permission.name() + ":" + qualifier, permission, qualifier));
            }
        }
        platformMask = new long[words()];
        allMask = new long[words()];
        for (Form form : forms) {
            set(allMask, form.slot());
            if (form.permission().level() == Permission.Level.PLATFORM) {
                set(platformMask, form.slot());
            }
        }
    }

    private void add(Form form) {
        if (byName.putIfAbsent(form.name(), form) != null) {
            throw new IllegalArgumentException("Declared twice: " + form.name());
        }
        forms.add(form);
        byResource.computeIfAbsent(form.resource(), r -> new ArrayList<>()).add(form);
    }

    public int size() {
        return forms.size();
    }

    /** Length of the bit sets over this index, in 64-bit words. */
    public int words() {
        return (forms.size() + 63) >>> 6;
    }

    public List<Form> forms() {
        return forms;
    }

    public Form form(int slot) {
        return forms.get(slot);
    }

    /** The slot of a permission form's name, or -1 when the registry has no such form. */
    public int slot(String name) {
        Form form = byName.get(name);
        return form == null ? -1 : form.slot();
    }

    /** Every slot. */
    public long[] all() {
        return allMask;
    }

    /** The slots a pattern covers (empty for text that is no pattern or covers nothing registered). */
    public long[] mask(String pattern) {
        long[] mask = masks.get(pattern);
        if (mask == null) {
            mask = computeMask(pattern);
            if (masks.size() < 100_000) {
                masks.put(pattern, mask);
            }
        }
        return mask;
    }

    /** Whether a pattern covers any platform-level permission (tenants may not grant those). */
    public boolean coversPlatformLevel(String pattern) {
        long[] mask = mask(pattern);
        for (int i = 0; i < mask.length; i++) {
            if ((mask[i] & platformMask[i]) != 0) {
                return true;
            }
        }
        return false;
    }

    public boolean coversAny(String pattern) {
        for (long word : mask(pattern)) {
            if (word != 0) {
                return true;
            }
        }
        return false;
    }

    private long[] computeMask(String text) {
        long[] mask = new long[words()];
        PermissionPattern.parse(text).ifPresent(pattern -> {
            for (Form form : byResource.getOrDefault(pattern.resource(), List.of())) {
                if (pattern.covers(form.resource(), form.action(), form.lastSegment())) {
                    set(mask, form.slot());
                }
            }
        });
        return mask;
    }

    static void set(long[] bits, int slot) {
        bits[slot >>> 6] |= 1L << slot;
    }

    static boolean get(long[] bits, int slot) {
        return (bits[slot >>> 6] & (1L << slot)) != 0;
    }
}
