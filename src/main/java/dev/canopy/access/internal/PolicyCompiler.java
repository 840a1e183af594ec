package dev.canopy.access.internal;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** Turns a principal's policy sources into bit sets: the union of every allow, minus every deny. */
public final class PolicyCompiler {

    private PolicyCompiler() {
    }

    public static CompiledPolicy compile(PermissionIndex index, List<PolicySource> sources) {
        int words = index.words();
        long[] allow = new long[words];
        long[] deny = new long[words];
        @Nullable Instant expiresAt = null;
        for (PolicySource source : sources) {
            if (source.expiresAt() != null && (expiresAt == null || source.expiresAt().isBefore(expiresAt))) {
                expiresAt = source.expiresAt();
            }
            if (source.kind() == PolicySource.Kind.PLATFORM_ADMIN) {
                or(allow, index.all());
                continue;
            }
            long[] target = source.deny() ? deny : allow;
            for (String pattern : source.patterns()) {
                or(target, index.mask(pattern));
            }
        }
        for (int i = 0; i < words; i++) {
            allow[i] &= ~deny[i];
        }
        return new CompiledPolicy(index, allow, deny, expiresAt);
    }

    private static void or(long[] target, long[] mask) {
        for (int i = 0; i < target.length; i++) {
            target[i] |= mask[i];
        }
    }
}
