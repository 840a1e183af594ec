package dev.canopy.catalog.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The engines a template can be provisioned with; the provisioning module runs them. */
public enum Driver {
    ANSIBLE, KUBERNETES, OPENTOFU, ARM;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<Driver> of(String key) {
        return Arrays.stream(values()).filter(d -> d.key().equals(key)).findFirst();
    }

    public static List<String> keys() {
        return Arrays.stream(values()).map(Driver::key).toList();
    }
}
